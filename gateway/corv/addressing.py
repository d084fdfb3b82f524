"""WS-Addressing as Digikoppeling WUS 2W-be requires it: To, From, MessageID and Action, with OINs in the URIs.

WUS: ``wsa:To`` is the endpoint, optionally with the receiver's OIN as a query parameter
(``https://host/soap/stuf-jz/jzberichten?OIN=00000001823288444000``); ``wsa:From`` likewise with the
sender's; ``wsa:Action`` equals the SOAPAction (WS002), which may also be sent as ``""``. Ketenpoort
requires the OIN in ``wsa:To``: it is how the request names the party it is for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from gateway.corv.envelope import WSA_NS, CorvFaultError, header_text
from gateway.soap import SoapRequest

_A = f"{{{WSA_NS}}}"
_OIN = re.compile(r"^\d{20}$")


@dataclass(frozen=True, slots=True)
class Addressing:
    """The WS-Addressing properties of one request."""

    to: str
    action: str
    message_id: str
    from_address: str | None

    @property
    def to_oin(self) -> str | None:
        """The OIN in the To address, when it carries one."""
        return oin_in(self.to)

    @property
    def from_oin(self) -> str | None:
        """The OIN in the From address, when it carries one."""
        return oin_in(self.from_address) if self.from_address else None


def oin_in(uri: str) -> str | None:
    """The value of the ``OIN`` query parameter of ``uri`` (case-insensitive name), or None."""
    query = urlsplit(uri).query
    for name, values in parse_qs(query, keep_blank_values=True).items():
        if name.lower() == "oin" and values:
            return values[0].strip() or None
    return None


def is_oin(value: str | None) -> bool:
    """True for a 20-digit OIN."""
    return value is not None and bool(_OIN.match(value))


def with_oin(address: str, oin: str) -> str:
    """``address`` with ``?OIN=<oin>`` (or ``&OIN=``) appended: the WUS form of a To or From URI."""
    separator = "&" if urlsplit(address).query else "?"
    return f"{address}{separator}OIN={oin}"


def read_addressing(request: SoapRequest, soap_action_header: str | None) -> Addressing:
    """The request's To, Action, MessageID and From; a Client fault when one is missing or they disagree."""
    action = header_text(request, f"{_A}Action")
    if action is None:
        raise CorvFaultError("WS-Addressing Action is missing", stuf_code="StUF022")
    declared = (soap_action_header or "").strip()
    if len(declared) >= 2 and declared[0] == declared[-1] == '"':
        declared = declared[1:-1]
    if declared and declared != action:
        raise CorvFaultError("SOAPAction differs from the WS-Addressing Action (WUS WS002)", stuf_code="StUF022")
    message_id = header_text(request, f"{_A}MessageID")
    if message_id is None:
        raise CorvFaultError("WS-Addressing MessageID is missing", stuf_code="StUF055")
    to = header_text(request, f"{_A}To")
    if to is None:
        raise CorvFaultError("WS-Addressing To is missing", stuf_code="StUF010")
    from_address: str | None = None
    source = request.header(WSA_NS, "From")
    if source is not None:
        address = source.find(f"{_A}Address")
        from_address = (address.text or "").strip() or None if address is not None else None
    if from_address is None:
        raise CorvFaultError("WS-Addressing From is missing", stuf_code="StUF013")
    return Addressing(to=to, action=action, message_id=message_id, from_address=from_address)


def check_to(addressing: Addressing, path: str, ontvanger: str | None) -> None:
    """Refuse a To that is not this endpoint or whose OIN is not the stuurgegevens' ontvanger (StUF010).

    The To path must end with this endpoint's path, so a reverse proxy may publish it under a prefix
    (``https://gateway.example/ketenpoort/soap/stuf-jz/jzberichten``).
    """
    target = urlsplit(addressing.to)
    if not target.path.rstrip("/").endswith(path.rstrip("/")):
        raise CorvFaultError("WS-Addressing To does not name this endpoint", stuf_code="StUF010")
    oin = addressing.to_oin
    if not is_oin(oin):
        raise CorvFaultError("WS-Addressing To carries no OIN (?OIN=, 20 digits)", stuf_code="StUF010")
    if oin != ontvanger:
        raise CorvFaultError(
            "The OIN in WS-Addressing To is not the ontvanger in the stuurgegevens", stuf_code="StUF010"
        )


__all__ = ["Addressing", "check_to", "is_oin", "oin_in", "read_addressing", "with_oin"]
