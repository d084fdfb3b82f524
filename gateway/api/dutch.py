"""The dashboard's words: Dutch names for message statuses and audit events (the API keeps its codes)."""

from __future__ import annotations

from jinja2 import Environment

from gateway.model import MessageStatus

STATUS = {
    MessageStatus.RECEIVED: "ontvangen",
    MessageStatus.ACCEPTED: "goedgekeurd",
    MessageStatus.REJECTED: "afgekeurd",
    MessageStatus.DUPLICATE: "dubbel ontvangen",
    MessageStatus.RELAYING: "wordt afgeleverd",
    MessageStatus.DELIVERED: "afgeleverd",
    MessageStatus.DEAD: "onbestelbaar",
}
"""Every status has a name (a test keeps this complete)."""

EVENTS = {
    "message.received": "ontvangen",
    "message.accepted": "goedgekeurd",
    "message.rejected": "afgekeurd",
    "message.duplicate": "dubbel ontvangen",
    "message.mapped": "feiten voor de afstemming vastgelegd",
    "message.relaying": "aflevering geprobeerd",
    "message.delivered": "afgeleverd",
    "message.dead": "onbestelbaar (in de wachtrij onbestelbare berichten)",
    "message.replayed": "opnieuw aangeboden",
    "message.payload_purged": "inhoud verwijderd (bewaartermijn)",
}

VERDICTS = {"delivered": "afgeleverd", "retry": "later opnieuw", "dead": "opgegeven"}

STAGES = {"validate": "controle", "map": "vertaling", "relay": "aflevering", "retention": "opschonen"}


def status_name(value: object) -> str:
    """The Dutch name of a status code; an unknown code is shown as it is."""
    text = str(value or "")
    try:
        return STATUS[MessageStatus(text)]
    except ValueError:
        return text


def event_name(value: object) -> str:
    """The Dutch description of an audit event; an unknown event is shown by its code."""
    text = str(value or "")
    return EVENTS.get(text, text)


def install(env: Environment) -> None:
    """Make ``status_nl``, ``event_nl``, ``verdict_nl`` and ``stage_nl`` filters of the dashboard's templates."""
    env.filters["status_nl"] = status_name
    env.filters["event_nl"] = event_name
    env.filters["verdict_nl"] = lambda value: VERDICTS.get(str(value or ""), str(value or ""))
    env.filters["stage_nl"] = lambda value: STAGES.get(str(value or ""), str(value or ""))


__all__ = ["EVENTS", "STAGES", "STATUS", "VERDICTS", "event_name", "install", "status_name"]
