"""Outbound channels: how a message is wrapped for its route's transport, and how the answer is judged.

A route names its channel (``http``, ``ggk``, ``corv``, ``vsp``; see :mod:`gateway.relay.routes`).
The :class:`~gateway.relay.deliver.Deliverer` keeps what every channel shares (routes, retries,
breakers, slots, the ``Idempotency-Key``, one transport per TLS identity); a :class:`Channel` only

* :meth:`Channel.wrap`: turns the stored message into the request body, content type and extra
  headers (a SOAP envelope and ``SOAPAction``, say), and
* :meth:`Channel.judge`: reads the answer (status, headers, the capped body) into DELIVERED, RETRY
  or PERMANENT with an error text (a Fo03's text, say).

Promises a channel keeps: a permanent refusal (Fo03, Fo01, a SOAP fault with a client code) is
PERMANENT and so never retried; a server fault or a transport fault is RETRY. Error texts carry
no payload; the Deliverer scrubs BSNs from them anyway. A message that cannot be wrapped (not
the kind of document the channel carries) raises :class:`ChannelError`: a permanent failure.

Channels are found by name: :func:`channel_for` imports the module :data:`KNOWN_CHANNELS` names
the first time a route asks for it, so a build without a channel's package still loads routes
that do not use it. :func:`register_channel` adds or replaces one (tests, plug-ins).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from lxml import etree

from gateway.errors import RelayError
from gateway.relay.policy import Outcome, classify, parse_retry_after
from gateway.relay.routes import Route, RouteConfigError
from gateway.relay.transport import MAX_RESPONSE_BYTES, Answer
from gateway.soap import read_answer

_EMPTY: Mapping[str, str] = MappingProxyType({})


class ChannelError(RelayError):
    """The message cannot be sent over this channel (a permanent failure); the text names no payload."""


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to deliver, as a channel sees it."""

    message_id: str
    receiver: str
    payload: bytes
    attempt: int = 1
    kind: str = "bericht"
    """``bericht`` (a heenbericht passing through) or ``retour`` (a retourbericht Ketenpoort built)."""
    refers_to: str | None = None
    """For a retour: the message id of the heenbericht it answers."""
    meta: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    """What the inbound envelope told us and an outbound one may need (e.g. ``referentienummer``)."""


@dataclass(frozen=True, slots=True)
class Wrapped:
    """The request a channel makes of a message."""

    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    """Extra headers (``SOAPAction`` ...); the Deliverer adds User-Agent, Idempotency-Key and the message id."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """What a channel makes of an answer."""

    outcome: Outcome
    error: str | None = None
    retry_after_s: float | None = None
    """The receiver's own lower bound on the wait before a retry (Retry-After), if any."""


@runtime_checkable
class Channel(Protocol):
    """Wraps a message for its transport and judges the answer; stateless, shared by all worker threads."""

    name: str

    def wrap(self, message: Outbound, route: Route) -> Wrapped:
        """The request for ``message`` over ``route``; :class:`ChannelError` when it cannot be wrapped."""
        ...

    def judge(self, answer: Answer, route: Route) -> Judgement:
        """DELIVERED, RETRY or PERMANENT for the receiver's ``answer``."""
        ...


def judge_http(answer: Answer) -> Judgement:
    """The plain HTTP verdict: 2xx delivered, 408/429/5xx retried (Retry-After honoured), other statuses permanent."""
    outcome = classify(answer.status)
    if outcome is Outcome.DELIVERED:
        return Judgement(outcome)
    error = f"HTTP {answer.status} {answer.reason}".strip()
    if outcome is Outcome.RETRY:
        return Judgement(outcome, error, parse_retry_after(answer.retry_after, datetime.now(UTC)))
    return Judgement(outcome, error)


STUF_NS = "http://www.egem.nl/StUF/StUF0301"
_BV03 = f"{{{STUF_NS}}}Bv03Bericht"
_REFUSALS = (f"{{{STUF_NS}}}Fo03Bericht", f"{{{STUF_NS}}}Fo01Bericht", f"{{{STUF_NS}}}Fo02Bericht")


def _refusal_text(report: etree._Element) -> tuple[str, str]:
    """(plek, "Fo03 StUF055: omschrijving") of a StUF Fo0x report."""
    kind = etree.QName(report).localname[:4]
    code = (report.findtext(f"{{{STUF_NS}}}body/{{{STUF_NS}}}code") or "").strip()
    plek = (report.findtext(f"{{{STUF_NS}}}body/{{{STUF_NS}}}plek") or "").strip().lower()
    text = (report.findtext(f"{{{STUF_NS}}}body/{{{STUF_NS}}}omschrijving") or "").strip()
    return plek, f"{kind} {code}: {text}".strip().rstrip(":")


def judge_stuf(answer: Answer) -> Judgement:
    """A StUF-over-SOAP answer (GGk, CORV): only a Bv03 is DELIVERED.

    * HTTP 2xx with a ``StUF:Bv03Bericht`` body: DELIVERED.
    * A Fault carrying a Fo03/Fo01 with plek ``client``, or a Fault ``Client`` without one, or a
      Fo01 as the answer: PERMANENT, with the Fo03's code and text.
    * A Fault with plek ``server`` or ``Server``, HTTP 5xx, 408, 429, or a 2xx without a Bv03 (the
      receiver may not have taken it; it deduplicates on the resend): RETRY.
    * Any other HTTP status: PERMANENT.
    """
    soap = read_answer(answer.body, MAX_RESPONSE_BYTES) if answer.body else None
    if soap is not None and not soap.is_fault and soap.payload is not None:
        tag = soap.payload.tag
        if 200 <= answer.status < 300 and tag == _BV03:
            return Judgement(Outcome.DELIVERED)
        if tag in _REFUSALS:
            return Judgement(Outcome.PERMANENT, _refusal_text(soap.payload)[1])
    if soap is not None and soap.is_fault:
        report = next((block for block in soap.fault_detail if block.tag in _REFUSALS), None)
        if report is not None:
            plek, text = _refusal_text(report)
            client = plek == "client" if plek else soap.fault_code == "Client"
        else:
            client, text = soap.fault_code == "Client", f"SOAP Fault {soap.fault_code}: {soap.fault_text}"
        return Judgement(Outcome.PERMANENT if client else Outcome.RETRY, text)
    if 200 <= answer.status < 300:
        return Judgement(Outcome.RETRY, f"HTTP {answer.status} without a Bv03")
    return judge_http(answer)


class HttpChannel:
    """The message as it is: a POST of the XML, judged by the HTTP status alone."""

    name = "http"

    def wrap(self, message: Outbound, route: Route) -> Wrapped:
        """The stored bytes as ``application/xml``."""
        return Wrapped(message.payload, "application/xml")

    def judge(self, answer: Answer, route: Route) -> Judgement:
        """See :func:`judge_http`."""
        return judge_http(answer)


KNOWN_CHANNELS: Mapping[str, str] = MappingProxyType(
    {
        "http": "gateway.relay.channel:HttpChannel",
        "ggk": "gateway.ggk.outbound:GgkChannel",
        "corv": "gateway.corv.outbound:CorvChannel",
        "vsp": "gateway.vsp.outbound:VspChannel",
    }
)
"""Channel name → ``module:class`` of its implementation (a class whose no-argument instance is the channel)."""

_registered: dict[str, Channel] = {}
_lock = threading.Lock()


def register_channel(channel: Channel) -> None:
    """Use ``channel`` for routes that name ``channel.name`` (replacing a known or earlier one)."""
    with _lock:
        _registered[channel.name] = channel


def channel_for(name: str) -> Channel:
    """The channel called ``name``; RouteConfigError when this build has none."""
    with _lock:
        found = _registered.get(name)
        if found is not None:
            return found
        spec = KNOWN_CHANNELS.get(name)
        if spec is None:
            raise RouteConfigError(f"channel {name!r} is not available in this build")
        module_name, _, attribute = spec.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module_name.startswith(exc.name):
                raise
            raise RouteConfigError(f"channel {name!r} is not available in this build") from None
        channel: Channel = getattr(module, attribute)()
        _registered[name] = channel
        return channel


__all__ = [
    "KNOWN_CHANNELS",
    "Channel",
    "ChannelError",
    "HttpChannel",
    "Judgement",
    "Outbound",
    "Wrapped",
    "channel_for",
    "judge_http",
    "judge_stuf",
    "register_channel",
]
