"""Rules on the Header: Dagtekening (TR135), versions (CS015, CS025) and the gemeentecode (TR378)."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.rules.gemeenten import cbs_gemeentecodes
from gateway.rules.registry import ALL_IJW, Doc, Violation, child, rule

_GEMEENTE_IS_AFZENDER = frozenset({"JW301", "JW302", "JW319", "JW320", "JW325"})
_GEMEENTE_IN_HEADER = frozenset({"JW303", "JW304"})


@rule(
    "TR135",
    "8848",
    ALL_IJW,
    "Dagtekening is een bestaande datum die niet in de toekomst ligt.",
    versions=("3.2", "2.3"),
)
def dagtekening_not_in_future(doc: Doc) -> Iterator[Violation]:
    """The message's Dagtekening (FactuurDagtekening in a 2.3 JW303) must not lie after today (the system date).

    Beyond the catalogue: also on the retourberichten the gateway relays (JW302, JW306, JW308, JW316,
    JW318, JW320); their headers carry the same field, and a wrong value
    there is refused by the partner's software just the same.
    """
    if doc.dagtekening is None or doc.dagtekening <= doc.context.today:
        return
    element = doc.dagtekening_element if doc.dagtekening_element is not None else doc.header
    if element is None:
        return
    yield (
        element,
        (f"Dagtekening {doc.dagtekening.isoformat()} ligt na de systeemdatum {doc.context.today.isoformat()}."),
    )


def _fixed(doc: Doc, name: str, expected: str) -> Iterator[Violation]:
    element = None if doc.header is None else child(doc.header, name)
    if element is not None and (element.text or "").strip() != expected:
        yield element, f"{name} moet {expected} zijn, niet {(element.text or '').strip()!r}."


@rule("CS015", "0001", ALL_IJW, "BerichtSubversie vullen met 2.")
def berichtsubversie(doc: Doc) -> Iterator[Violation]:
    """iJw 3.2: BerichtSubversie is 2.

    Beyond the catalogue: also on the retourberichten the gateway relays (JW302, JW306, JW308, JW316,
    JW318, JW320); their headers carry the same field, and a wrong value
    there is refused by the partner's software just the same.
    """
    yield from _fixed(doc, "BerichtSubversie", "2")


@rule("CS025", "0001", ALL_IJW, "BerichtVersie vullen met 3.")
def berichtversie(doc: Doc) -> Iterator[Violation]:
    """iJw 3.2: BerichtVersie is 3.

    Beyond the catalogue: also on the retourberichten the gateway relays (JW302, JW306, JW308, JW316,
    JW318, JW320); their headers carry the same field, and a wrong value
    there is refused by the partner's software just the same.
    """
    yield from _fixed(doc, "BerichtVersie", "3")


@rule(
    "TR378",
    "S300",
    ALL_IJW,
    "Gemeentecode is een bestaande code uit de CBS-lijst van gemeenten.",
    versions=("3.2", "2.3"),
)
def gemeentecode_bestaat(doc: Doc) -> Iterator[Violation]:
    """The gemeente in the header (Afzender, Ontvanger or Gemeente by message type) is on the CBS list.

    Beyond the catalogue: also on the retourberichten the gateway relays (JW302, JW306, JW308, JW316,
    JW318, JW320); their headers carry the same field, and a wrong value
    there is refused by the partner's software just the same.
    """
    if doc.header is None:
        return
    mt = doc.kind.message_type
    name = "Afzender" if mt in _GEMEENTE_IS_AFZENDER else "Gemeente" if mt in _GEMEENTE_IN_HEADER else "Ontvanger"
    element = child(doc.header, name)
    codes = cbs_gemeentecodes()
    if element is None or not codes:
        return
    code = (element.text or "").strip()
    if code not in codes:
        yield element, f"Gemeentecode {code!r} staat niet op de CBS-lijst van gemeenten."
