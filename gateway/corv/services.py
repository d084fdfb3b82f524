"""The CORV (StUF-Jeugdzorg 1.0.9) services Ketenpoort offers as an end party: groups, operations, actions.

One service per message group, as in the official ``jz01010_ontvangAsynchroon_<group>.wsdl``: every Di01
root of the group is an operation, answered synchronously with a Bv03 or a SOAP Fault carrying a Fo03.
The SOAPAction of an operation is also its WS-Addressing Action (Digikoppeling WUS WS002). The official
WSDLs also list Bv01, Bv03, Fo01 and Fo03 as operations; their own binding documentation allows an
unsupported message to be left out, and Ketenpoort leaves those four out of its WSDL (a call to them is
answered with Fo03 StUF025, "Berichtcode niet ondersteund").
"""

from __future__ import annotations

from types import MappingProxyType

JZ_NS = "http://www.stufstandaarden.nl/koppelvlak/jz0100"
STUF_NS = "http://www.egem.nl/StUF/StUF0301"

_JZ_ROOTS = ("vtoDi01", "notificatieDi01", "notificatiejrDi01", "zorgmeldingDi01", "zorgmeldingTerugkoppelingDi01")

GROUPS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "jzberichten": _JZ_ROOTS,
        "vtberichten": (*_JZ_ROOTS, "vtMeldingDi01", "vtTerugkoppelingDi01"),
        "vvberichten": ("vcobDi01", "ucobDi01", "vciDi01", "uciDi01"),
        "gmberichten": ("meldingGeneriekDi01", "uitkomstMeldingGeneriekDi01"),
    }
)
"""Each message group (the last part of ``/soap/stuf-jz/{group}``) and the Di01 operations it serves."""

UNSUPPORTED_STUF_OPERATIONS = ("Bv01", "Bv03", "Fo01", "Fo03")
"""Operations of the official WSDLs that Ketenpoort leaves out (answered with Fo03 StUF025)."""

BV03_ACTION = f"{STUF_NS}/Bv03"
"""The Action of the synchronous Bv03 answer (the StUF0301 soapAction of Bv03)."""


def soap_action(root: str) -> str:
    """The soapAction (and wsa:Action) of the Di01 operation ``root``, exactly as the official WSDLs write it."""
    return f"www.stufstandaarden.nl/koppelvlak/jz0100/{root}"


def stuf_action(berichtcode: str) -> str:
    """The soapAction of a StUF0301 operation such as ``Bv01`` or ``Fo03``."""
    return f"{STUF_NS}/{berichtcode}"


def operation_for_action(group: str, action: str) -> str | None:
    """The Di01 root that ``action`` calls in ``group``; None when the group has no such operation."""
    for root in GROUPS.get(group, ()):
        if action == soap_action(root):
            return root
    return None


def is_unsupported_action(action: str) -> bool:
    """True for the StUF acknowledgement operations the official WSDLs list but Ketenpoort does not serve."""
    return action in {stuf_action(code) for code in UNSUPPORTED_STUF_OPERATIONS}


__all__ = [
    "BV03_ACTION",
    "GROUPS",
    "JZ_NS",
    "STUF_NS",
    "UNSUPPORTED_STUF_OPERATIONS",
    "is_unsupported_action",
    "operation_for_action",
    "soap_action",
    "stuf_action",
]
