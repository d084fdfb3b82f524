"""Rules on a JW325 declaratie-antwoord inside one message (TR342)."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.rules.registry import Doc, Violation, rule

_GEEN_OPMERKING = "0200"


@rule("TR342", "0001", ("JW325",), "Alleen afgewezen Prestaties worden meegestuurd in het declaratie-antwoord.")
def alleen_afgewezen_prestaties(doc: Doc) -> Iterator[Violation]:
    """Each Prestatie in the antwoord carries a retourcode that rejects it (anything but 0200)."""
    for prestatie in doc.prestaties:
        codes = [(c.text or "").strip() for c in prestatie.iterfind("{*}RetourCodes/{*}RetourCode")]
        if codes and all(code == _GEEN_OPMERKING for code in codes):
            yield prestatie, "Prestatie zonder afwijzing (alleen 0200) hoort niet in het declaratie-antwoord."
