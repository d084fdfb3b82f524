"""The traffic stream is coherent: fed in order through a history, valid messages pass the cross-message rules too."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date

from lxml import etree

from gateway.generate import ijw_traffic
from gateway.rules import EerderePrestatie, PrestatieSleutel, Regieregel, RuleContext, ToegewezenProduct
from gateway.rules.registry import RULES
from gateway.validation import inspect


def _text(el: etree._Element, path: str) -> str:
    return el.findtext("/".join("{*}" + p for p in path.split("/"))) or ""


def _date(el: etree._Element, path: str) -> date:
    return date.fromisoformat(_text(el, path))


class FakeHistory:
    """An in-memory MessageHistory fed with the accepted messages, as the store would be."""

    def __init__(self) -> None:
        self.idents: set[tuple[str, str]] = set()
        self.declaraties: set[tuple[str, str]] = set()
        self.toegewezen: dict[tuple[str, str, str], ToegewezenProduct] = {}
        self.prestaties: dict[tuple[str, str], EerderePrestatie] = {}
        self.debetten: set[tuple[str, PrestatieSleutel]] = set()
        self.regie: list[tuple[str, str, Regieregel]] = []

    def seen_identificatie(
        self, sender: str, identificatie: str, exclude_message_id: str | None, *, message_type: str | None = None
    ) -> bool:
        return (sender, identificatie) in self.idents

    def seen_declaratienummer(self, aanbieder: str, declaratienummer: str, exclude_message_id: str | None) -> bool:
        return (aanbieder, declaratienummer) in self.declaraties

    def client_key(self, bsn: str) -> str:
        return f"key-{bsn}"

    def toegewezen_producten(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str]
    ) -> Mapping[str, ToegewezenProduct]:
        found = ((n, self.toegewezen.get((gemeente, aanbieder, n))) for n in toewijzingnummers)
        return {n: p for n, p in found if p is not None}

    def eerdere_prestaties(
        self, aanbieder: str, referentienummers: Collection[str], exclude_message_id: str | None
    ) -> Mapping[str, EerderePrestatie]:
        found = ((r, self.prestaties.get((aanbieder, r))) for r in referentienummers)
        return {r: p for r, p in found if p is not None}

    def open_debetten(
        self, aanbieder: str, sleutels: Collection[PrestatieSleutel], exclude_message_id: str | None
    ) -> Collection[PrestatieSleutel]:
        return [s for s in sleutels if (aanbieder, s) in self.debetten]

    def regieregels(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str], exclude_message_id: str | None
    ) -> Sequence[Regieregel]:
        return [
            r for g, a, r in self.regie if (g, a) == (gemeente, aanbieder) and r.toewijzingnummer in toewijzingnummers
        ]

    def record(self, root: etree._Element, message_type: str) -> None:
        """Remember what an accepted message tells later rules."""
        afzender, ontvanger = _text(root, "Header/Afzender"), _text(root, "Header/Ontvanger")
        self.idents.add((afzender, _text(root, "Header/BerichtIdentificatie/Identificatie")))
        if message_type == "JW301":
            client = root.find("{*}Client")
            assert client is not None
            for tp in client.iter("{*}ToegewezenProduct"):
                nummer = _text(tp, "ToewijzingNummer")
                self.toegewezen[(afzender, ontvanger, nummer)] = ToegewezenProduct(
                    toewijzingnummer=nummer,
                    client=self.client_key(_text(client, "Bsn")),
                    ingangsdatum=_date(tp, "Ingangsdatum"),
                    einddatum=_date(tp, "Einddatum"),
                    productcategorie=_text(tp, "Product/Categorie"),
                    productcode=_text(tp, "Product/Code"),
                    eenheid=_text(tp, "Omvang/Eenheid"),
                    volume=int(_text(tp, "Omvang/Volume")),
                    frequentie=_text(tp, "Omvang/Frequentie"),
                )
        if message_type in ("JW305", "JW307"):
            soort = "start" if message_type == "JW305" else "stop"
            for client in root.iter("{*}Client"):
                key = self.client_key(_text(client, "Bsn"))
                for line in client.iter("{*}StartProduct", "{*}StopProduct"):
                    einde = _date(line, "Einddatum") if soort == "stop" else None
                    product = (_text(line, "Product/Categorie"), _text(line, "Product/Code"))
                    status, reden = _text(line, "StatusAanlevering"), _text(line, "RedenBeeindiging") or None
                    nummer, begin = _text(line, "ToewijzingNummer"), _date(line, "Begindatum")
                    regel = Regieregel(soort, key, nummer, *product, begin, einde, status, reden)
                    self.regie.append((ontvanger, afzender, regel))
        if message_type == "JW323":
            self.declaraties.add((afzender, _text(root, "Declaratie/DeclaratieNummer")))
            for p in root.iter("{*}Prestatie"):
                begin, eind = _date(p, "ProductPeriode/Begindatum"), _date(p, "ProductPeriode/Einddatum")
                nummer, cat, code = _text(p, "ToewijzingNummer"), _text(p, "ProductCategorie"), _text(p, "ProductCode")
                ref = _text(p, "ProductReferentie/ReferentieNummer")
                dc = _text(p, "IngediendBedrag/DebetCredit")
                self.prestaties[(afzender, ref)] = EerderePrestatie(ref, dc, nummer, cat, code, begin, eind)
                self.debetten.add((afzender, PrestatieSleutel(nummer, cat, code, begin, eind)))


def test_valid_stream_messages_pass_the_cross_message_rules_in_order() -> None:
    history = FakeHistory()
    context = RuleContext(history=history)
    history_rules = {r.id for r in RULES.values() if r.needs_history}
    checked: dict[str, int] = {}
    for message in ijw_traffic(900, seed=21, invalid_ratio=0.2):
        if not message.expected.valid:
            continue
        found = inspect(message.data, context=context)
        assert found.result.valid, (message.name, [(e.rule, e.message) for e in found.result.errors])
        assert found.root is not None
        history.record(found.root, message.message_type)
        checked[message.message_type] = checked.get(message.message_type, 0) + 1
    assert set(checked) == {"JW301", "JW305", "JW307", "JW315", "JW317", "JW319", "JW323"}
    assert {"TR019", "TR304", "TR338", "TR389", "TR326", "TR382"} <= history_rules  # the rules this test is about


def test_a_start_without_its_toewijzing_is_caught_so_the_history_test_has_teeth() -> None:
    history = FakeHistory()
    context = RuleContext(history=history)
    stream = list(ijw_traffic(200, seed=5, invalid_ratio=0.0))
    start = next(m for m in stream if m.message_type == "JW305")
    fired = {e.rule for e in inspect(start.data, context=context).result.errors}
    assert "TR019" in fired
    declaratie = next(m for m in stream if m.message_type == "JW323")
    fired = {e.rule for e in inspect(declaratie.data, context=context).result.errors}
    assert "TR338" in fired
