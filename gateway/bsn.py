"""The BSN (burgerservicenummer), its elfproef, and the scrubber every outgoing text passes.

A BSN has 9 digits d1..d9 and is valid when 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible
by 11 (and is not 0).

Scrubbing replaces a BSN by ``[bsn]``. Where it looks decides what it replaces:

- free text (log lines, exception texts, error messages): every nine-digit run that passes the
  elfproef, wherever it stands, inside an XML name or prefix too (``q999969079:Bsn``); a whole
  sha256 hex digest stays whole, and so does a number the text itself labels as an identifier
  (``BerichtIdentificatie 123456782``, ``external_id=123456782``) unless the text speaks of a BSN;
- a known field (:func:`scrub_field`): an identifier field (``external_id``, ``message_id``, a
  referentienummer ...) is kept as it is, so a 9-digit BerichtIdentificatie that happens to pass
  the elfproef still traces the message; any other field is free text;
- an error text about a BSN-bearing element (:func:`scrub_error`): the value it echoes is replaced
  whatever its shape (a mistyped BSN is still a BSN), and the rest is free text.

:func:`scrub_error` is the one call for every error text that leaves the process: HTTP error
bodies, SOAP and VSP faults, CLI output.
"""

from __future__ import annotations

import re

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_NINE_DIGITS_OR_DIGEST = re.compile(r"(?<![0-9A-Fa-f])[0-9a-f]{64}(?![0-9A-Fa-f])|(?<!\d)\d{9}(?!\d)")
"""A BSN-shaped number, or a whole sha256 hex digest: nine digits inside a digest are no BSN, and
replacing them would make the logged audit hashes disagree with the chain."""
_ID_LABEL = re.compile(
    r"(?i)(?:identificatie|referentienummer|kenmerk|external_id|message_id|idempotency_key|bericht_?id)"
    r"[\s\"':=]{0,3}$"
)
"""Text just before a number that says the number is a message identifier, not a BSN."""
_BSN_WORD = re.compile(r"(?i)bsn|burgerservicenummer")
_BSN_ELEMENT = re.compile(r"(?i)(?:^|[:}'\s])(?:inp\.)?bsn'")
"""An XSD or parse message about an element named Bsn, bsn or inp.bsn (``Element 'Bsn': ...``)."""
_ECHOED_VALUE = re.compile(r"(The value |^Element '[^']*': |, attribute '[^']*': )'([^']*)'")
"""Where libxml2 quotes the offending value back in a schema error."""

IDENTIFIER_FIELDS = frozenset(
    {
        "id",
        "message_id",
        "external_id",
        "idempotency_key",
        "identificatie",
        "berichtidentificatie",
        "referentienummer",
        "cross_ref",
        "crossrefnummer",
    }
)
"""Fields that carry a message identifier: kept whole (a 9-digit BerichtIdentificatie is no BSN)."""


def is_valid_bsn(value: str) -> bool:
    """True when ``value`` is nine digits that pass the elfproef."""
    if len(value) != 9 or not value.isdigit():
        return False
    d = list(map(int, value))  # unrolled: twice as fast as a weighted sum() over zip (CS002 on 4,000 clients)
    total = 9 * d[0] + 8 * d[1] + 7 * d[2] + 6 * d[3] + 5 * d[4] + 4 * d[5] + 3 * d[6] + 2 * d[7] - d[8]
    return total != 0 and total % 11 == 0


def scrub(text: str) -> str:
    """Replace every nine-digit number that passes the elfproef by ``[bsn]``, except labelled identifiers.

    sha256 hex digests stay whole; a number right after an identifier label (``Identificatie``,
    ``external_id=`` ...) stays too, unless the text mentions a BSN anywhere.
    """
    if len(text) < 9:
        return text
    about_bsn: bool | None = None

    def replace(match: re.Match[str]) -> str:
        nonlocal about_bsn
        value = match.group()
        if not is_valid_bsn(value):
            return value
        if _ID_LABEL.search(text, max(0, match.start() - 24), match.start()):
            if about_bsn is None:
                about_bsn = _BSN_WORD.search(text) is not None
            if not about_bsn:
                return value
        return "[bsn]"

    return _NINE_DIGITS_OR_DIGEST.sub(replace, text)


def scrub_field(name: str, value: str) -> str:
    """``value`` of the field ``name`` as it may be logged or audited: identifier fields whole, others scrubbed."""
    if name.lower() in IDENTIFIER_FIELDS:
        return value
    return scrub(value)


def scrub_error(text: str, limit: int | None = None) -> str:
    """An error text as it may leave the process (HTTP, SOAP/VSP fault, CLI), at most ``limit`` characters.

    Besides :func:`scrub`, a schema error about a BSN-bearing element loses the value it quotes,
    whatever that value looks like.
    """
    if _BSN_ELEMENT.search(text):
        text = _ECHOED_VALUE.sub(lambda m: f"{m.group(1)}'[bsn]'", text)
    text = scrub(text)
    return text if limit is None or len(text) <= limit else text[: max(0, limit - 1)] + "…"


__all__ = ["IDENTIFIER_FIELDS", "is_valid_bsn", "scrub", "scrub_error", "scrub_field"]
