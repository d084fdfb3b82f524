"""The ``vsp`` channel: a message goes to VECOZO's Push API as multipart/form-data (berichtMetadata + payload).

The route's URL is the Push operation itself (``https://api.vecozo.nl/berichtenservice/berichten/
rest-push/v1/berichten``); its ``client_cert``/``client_key`` are the VECOZO system certificate the
Deliverer presents (mutual TLS). Options: ``actie`` (the berichtstroom's actie, default ``Indienen``).

Judged as the Push document says: 2xx (204) delivered; 400 and 422 (ValidationProblemDetails, "do not
send this request again") permanent, into the dead-letter queue with the problem's title, detail and
field errors; every other answer retried, 429 and 503 after their Retry-After.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

from gateway.config import MAX_MESSAGE_BYTES
from gateway.relay.channel import ChannelError, Judgement, Outbound, Wrapped
from gateway.relay.policy import Outcome, parse_retry_after
from gateway.relay.routes import Route
from gateway.relay.transport import Answer
from gateway.vsp.berichtstroom import NotForVspError, metadata, read_ijw

PERMANENT_STATUSES = frozenset({400, 422})


def multipart(meta: bytes, payload: bytes) -> tuple[bytes, str]:
    """The form body with the two parts the Push document names, and its content type."""
    boundary = f"ketenpoort-{secrets.token_hex(12)}"
    body = b"".join(
        (
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="berichtMetadata"; filename="berichtMetadata.json"\r\n',
            b"Content-Type: application/json\r\n\r\n",
            meta,
            f"\r\n--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="payload"; filename="payload.xml"\r\n',
            b"Content-Type: application/octet-stream\r\n\r\n",
            payload,
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )
    return body, f"multipart/form-data; boundary={boundary}"


def problem_text(answer: Answer) -> str:
    """A refusal's ValidationProblemDetails as one line: status, title, detail, then each field's errors."""
    parts = [f"VSP {answer.status}"]
    try:
        problem = json.loads(answer.body) if answer.body else {}
    except (ValueError, UnicodeDecodeError):
        problem = {}
    if isinstance(problem, dict):
        parts += [str(problem[k]) for k in ("title", "detail") if problem.get(k)]
        errors = problem.get("errors")
        if isinstance(errors, dict):
            parts += [f"{field}: {'; '.join(map(str, msgs))}" for field, msgs in errors.items() if msgs]
    return " | ".join(parts)[:500]


class VspChannel:
    """Wraps iJw messages for VECOZO's Push API and judges its answers."""

    name = "vsp"

    def wrap(self, message: Outbound, route: Route) -> Wrapped:
        """berichtMetadata from the message's own header; the payload as it is."""
        try:
            facts = read_ijw(message.payload, MAX_MESSAGE_BYTES)
        except NotForVspError as exc:
            raise ChannelError(str(exc)) from None
        refers_to = message.refers_to if message.kind == "retour" else None
        meta = metadata(facts, message.message_id, refers_to=refers_to, actie=route.option("actie", "Indienen") or "")
        body, content_type = multipart(json.dumps(meta).encode("utf-8"), message.payload)
        return Wrapped(body, content_type, (("Accept", "application/json"),))

    def judge(self, answer: Answer, route: Route) -> Judgement:
        """204 delivered; 400/422 permanent with the problem details; anything else retried."""
        if 200 <= answer.status < 300:
            return Judgement(Outcome.DELIVERED)
        if answer.status in PERMANENT_STATUSES:
            return Judgement(Outcome.PERMANENT, problem_text(answer))
        wait = parse_retry_after(answer.retry_after, datetime.now(UTC))
        return Judgement(Outcome.RETRY, f"VSP {answer.status} {answer.reason}".strip(), wait)


__all__ = ["PERMANENT_STATUSES", "VspChannel", "multipart", "problem_text"]
