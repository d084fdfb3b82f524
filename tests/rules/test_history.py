"""Berichtoverstijgende rules against a small in-memory MessageHistory."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import pytest
from lxml import etree

from gateway.ports import MessageHistory
from gateway.rules import RULES, EerderePrestatie, PrestatieSleutel, Regieregel, ToegewezenProduct
from tests.rules.cases import clean, credit
from tests.rules.support import check, duplicate, set_text

P = "//Prestatie"


def _toewijzing(nummer: str, code: str) -> ToegewezenProduct:
    return ToegewezenProduct(nummer, "client", date(2026, 1, 1), None, "45", code)


@dataclass
class FakeHistory:
    """An in-memory history that records how often it is asked."""

    identificaties: set[tuple[str, str]] = field(default_factory=set)
    declaratienummers: set[tuple[str, str]] = field(default_factory=set)
    toewijzingen: dict[str, ToegewezenProduct] = field(
        default_factory=lambda: {
            "10072": _toewijzing("10072", "45A03"),
            "10073": _toewijzing("10073", "45A04"),
            "10074": _toewijzing("10074", "45A03"),
            "10075": _toewijzing("10075", "45A04"),
            # the JW317 example's OngewijzigdProduct: another product than its NieuwProduct (45A03), so TR361 holds
            "10071": _toewijzing("10071", "45A05"),
            "300201": ToegewezenProduct("300201", "client", date(2026, 4, 1), None, "55", "55A11"),
            "300202": ToegewezenProduct("300202", "client", date(2026, 4, 1), None, "55", "55A12"),
        }
    )
    prestaties: dict[str, EerderePrestatie] = field(default_factory=dict)
    open: set[PrestatieSleutel] = field(default_factory=set)
    regie: list[Regieregel] = field(
        default_factory=lambda: [  # the starts the JW307 example stops (TR382)
            Regieregel("start", "client", "300201", "55", "55A11", date(2026, 4, 3), None, "1"),
            Regieregel("start", "client", "300202", "55", "55A12", date(2026, 4, 15), None, "1"),
        ]
    )
    calls: dict[str, int] = field(default_factory=dict)
    excluded: list[str | None] = field(default_factory=list)
    parties: list[tuple[str, str]] = field(default_factory=list)

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def seen_identificatie(
        self, sender: str, identificatie: str, exclude_message_id: str | None, *, message_type: str | None = None
    ) -> bool:
        self._count("identificatie")
        self.excluded.append(exclude_message_id)
        return (sender, identificatie) in self.identificaties

    def seen_declaratienummer(self, aanbieder: str, declaratienummer: str, exclude_message_id: str | None) -> bool:
        self._count("declaratienummer")
        return (aanbieder, declaratienummer) in self.declaratienummers

    def client_key(self, bsn: str) -> str:
        return "client"

    def toegewezen_producten(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str]
    ) -> Mapping[str, ToegewezenProduct]:
        self._count("toegewezen")
        self.parties.append((gemeente, aanbieder))
        return {n: self.toewijzingen[n] for n in toewijzingnummers if n in self.toewijzingen}

    def eerdere_prestaties(
        self, aanbieder: str, referentienummers: Collection[str], exclude_message_id: str | None
    ) -> Mapping[str, EerderePrestatie]:
        self._count("eerdere")
        return {n: self.prestaties[n] for n in referentienummers if n in self.prestaties}

    def open_debetten(
        self, aanbieder: str, sleutels: Collection[PrestatieSleutel], exclude_message_id: str | None
    ) -> Collection[PrestatieSleutel]:
        self._count("open")
        return [s for s in sleutels if s in self.open]

    def regieregels(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str], exclude_message_id: str | None
    ) -> Sequence[Regieregel]:
        self._count("regie")
        return [r for r in self.regie if r.toewijzingnummer in toewijzingnummers]


def _debet(ref: str, toewijzing: str = "10072", code: str = "45A03", gecrediteerd: bool = False) -> EerderePrestatie:
    return EerderePrestatie(ref, "D", toewijzing, "45", code, date(2026, 3, 1), date(2026, 3, 31), gecrediteerd)


def _rules(root: etree._Element, history: FakeHistory) -> set[tuple[str, str]]:
    return {(f.rule or "", f.retourcode or "") for f in check(root, history=history, message_id="m-1")}


def test_fake_implements_the_protocol() -> None:
    assert isinstance(FakeHistory(), MessageHistory)


@pytest.mark.parametrize("message_type", ["JW301", "JW305", "JW307", "JW317", "JW319", "JW323"])
def test_clean_examples_pass_with_an_empty_history(message_type: str) -> None:
    """Each official example passes against the history it presupposes (a JW305 starts what nobody started)."""
    assert _rules(clean(message_type), _fake_for(message_type)) == set()


def _fake_for(message_type: str) -> FakeHistory:
    """The default history; for a JW305 without the starts that the JW307 example stops."""
    return FakeHistory(regie=[]) if message_type == "JW305" else FakeHistory()


def test_history_rules_do_not_run_without_history() -> None:
    root = clean("JW323")
    set_text(root, P + "/ToewijzingNummer", "99999")
    assert check(root) == []
    assert ("TR338", "9338") in _rules(root, FakeHistory())


def test_tr056_identificatie_seen_before() -> None:
    history = FakeHistory(identificaties={("0384", "12345")})
    root = clean("JW301")
    set_text(root, "Header/BerichtIdentificatie/Identificatie", "12345")
    assert _rules(root, history) == {("TR056", "9056")}
    assert history.excluded == ["m-1"]
    set_text(root, "Header/BerichtIdentificatie/Identificatie", "12346")
    assert _rules(root, history) == set()


def test_tr333_declaratienummer_seen_before() -> None:
    history = FakeHistory(declaratienummers={("65656055", "DN001")})
    assert _rules(clean("JW323"), history) == {("TR333", "9333")}
    assert _rules(clean("JW323"), FakeHistory(declaratienummers={("65656055", "DN002")})) == set()


def test_tr314_referentienummer_sent_before() -> None:
    findings = check(clean("JW323"), history=FakeHistory(prestaties={"RN003": _debet("RN003")}))
    assert [(f.rule, f.retourcode) for f in findings] == [("TR314", "8021")]
    assert (
        findings[0].path
        == "/Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[1]/ProductReferentie/ReferentieNummer"
    )


def test_tr338_unknown_toewijzing_only_for_that_prestatie() -> None:
    history = FakeHistory()
    del history.toewijzingen["10074"]
    findings = check(clean("JW323"), history=history)
    assert [(f.rule, f.retourcode, f.path) for f in findings] == [
        ("TR338", "9338", "/Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[1]/ToewijzingNummer")
    ]


def test_one_batched_lookup_per_message() -> None:
    history = FakeHistory()
    check(clean("JW323"), history=history)
    assert history.calls == {"declaratienummer": 1, "identificatie": 1, "toegewezen": 1, "eerdere": 1, "open": 1}
    assert history.parties == [("0384", "65656055")]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"productcategorie": "43"}, ("TR339", "9339")),
        ({"productcode": "45A05"}, ("TR340", "9340")),
        ({"ingangsdatum": date(2026, 4, 2)}, ("TR307", "9307")),
        ({"einddatum": date(2026, 3, 31)}, ("TR308", "9308")),
        ({"reden_wijziging": "13"}, ("TR384", "9384")),
    ],
)
def test_prestatie_against_its_toewijzing(change: dict[str, object], expected: tuple[str, str]) -> None:
    history = FakeHistory()
    history.toewijzingen["10072"] = replace(history.toewijzingen["10072"], **change)  # type: ignore[arg-type]
    assert _rules(clean("JW323"), history) == {expected}


def test_tr387_begin_mid_month_only_when_the_toewijzing_starts_then() -> None:
    root = clean("JW323")
    set_text(root, P + "/ProductPeriode/Begindatum", "2026-04-10")
    assert _rules(root, FakeHistory()) == {("TR387", "9387")}
    history = FakeHistory()
    history.toewijzingen["10072"] = replace(history.toewijzingen["10072"], ingangsdatum=date(2026, 4, 10))
    assert _rules(root, history) == set()


def test_tr388_end_mid_month_only_when_the_toewijzing_ends_then() -> None:
    root = clean("JW323")
    set_text(root, P + "/ProductPeriode/Einddatum", "2026-04-20")
    assert _rules(root, FakeHistory()) == {("TR388", "9388")}
    history = FakeHistory()
    history.toewijzingen["10072"] = replace(history.toewijzingen["10072"], einddatum=date(2026, 4, 20))
    assert _rules(root, history) == set()


def test_tr323_credit_without_known_debet() -> None:
    root = clean("JW323")
    credit(root, 0, "RN900")
    assert _rules(root, FakeHistory()) == {("TR323", "8017")}
    assert _rules(root, FakeHistory(prestaties={"RN900": _debet("RN900")})) == set()


def test_tr390_debet_already_credited() -> None:
    root = clean("JW323")
    credit(root, 0, "RN900")
    history = FakeHistory(prestaties={"RN900": _debet("RN900", gecrediteerd=True)})
    assert _rules(root, history) == {("TR390", "9390")}


def test_tr389_second_debet_while_first_is_open() -> None:
    key = PrestatieSleutel("10072", "45", "45A03", date(2026, 4, 1), date(2026, 4, 30))
    assert _rules(clean("JW323"), FakeHistory(open={key})) == {("TR389", "9389")}


def test_tr389_not_when_the_same_message_credits_the_open_debet() -> None:
    key = PrestatieSleutel("10072", "45", "45A03", date(2026, 4, 1), date(2026, 4, 30))
    earlier = EerderePrestatie("RN900", "D", "10072", "45", "45A03", date(2026, 4, 1), date(2026, 4, 30))
    root = clean("JW323")
    # a credit of RN900 (an extra Prestatie) next to the new debet RN001 on the same key
    copy = duplicate(root, P)
    for el in copy.iter("{*}ReferentieNummer"):
        el.text = "RN901"
    credit(root, 1, "RN900")
    assert _rules(root, FakeHistory(open={key}, prestaties={"RN900": earlier})) == set()


def test_tr019_start_stop_without_toewijzing() -> None:
    for message_type in ("JW305", "JW307"):
        history = _fake_for(message_type)
        del history.toewijzingen["300202"]
        findings = check(clean(message_type), history=history)
        assert [(f.rule, f.retourcode) for f in findings] == [("TR019", "9019")]
        assert findings[0].path is not None and findings[0].path.endswith("[2]/ToewijzingNummer")


def test_tr304_toewijzing_of_another_client() -> None:
    history = FakeHistory()
    history.toewijzingen["10074"] = replace(history.toewijzingen["10074"], client="someone-else")
    findings = check(clean("JW323"), history=history)
    assert [(f.rule, f.retourcode) for f in findings] == [("TR304", "8187")]
    assert findings[0].path == "/Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[1]/ToewijzingNummer"


def test_tr350_ongewijzigd_product_must_be_current() -> None:
    history = FakeHistory()
    history.toewijzingen["10071"] = replace(history.toewijzingen["10071"], einddatum=date(2025, 12, 31))
    assert _rules(clean("JW317"), history) == {("TR350", "9350")}
    history.toewijzingen["10071"] = replace(history.toewijzingen["10071"], einddatum=date(2026, 1, 2))
    assert _rules(clean("JW317"), history) == set()


def _jw317_te_wijzigen(with_omvang: bool) -> etree._Element:
    root = clean("JW317")
    ns = etree.QName(root).namespace
    basis = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"
    ongewijzigd = root.find(".//{*}OngewijzigdeProducten")
    assert ongewijzigd is not None
    producten = etree.Element(f"{{{ns}}}TeWijzigenProducten")
    product = etree.SubElement(producten, f"{{{ns}}}TeWijzigenProduct")
    etree.SubElement(product, f"{{{ns}}}ToewijzingNummer").text = "10080"
    etree.SubElement(product, f"{{{ns}}}GewensteIngangsdatum").text = "2026-02-01"
    etree.SubElement(product, f"{{{ns}}}Einddatum").text = "2026-10-31"  # before the NieuwProduct (TR361)
    if with_omvang:
        omvang = etree.SubElement(product, f"{{{ns}}}Omvang")
        for name, value in (("Volume", "4"), ("Eenheid", "04"), ("Frequentie", "4")):
            etree.SubElement(omvang, f"{{{basis}}}{name}").text = value
    ongewijzigd.addnext(producten)
    return root


@pytest.mark.parametrize(
    ("toewijzing", "with_omvang", "expected"),
    [
        (None, True, {("TR351", "9351")}),
        (ToegewezenProduct("10080", "client", date(2026, 1, 1), None, "45", "45A03"), True, set()),
        (ToegewezenProduct("10080", "client", date(2026, 1, 1), None, "45", "45A03"), False, {("TR411", "9411")}),
        (ToegewezenProduct("10080", "client", date(2026, 1, 1), None, "45", None), True, {("TR412", "9412")}),
        (ToegewezenProduct("10080", "client", date(2026, 1, 1), None, "45", None), False, set()),
        (ToegewezenProduct("10080", "client", date(2026, 1, 1), None, None, None), True, {("TR375", "9375")}),
        (
            ToegewezenProduct("10080", "client", date(2020, 1, 1), date(2020, 12, 31), None, None),
            True,
            {("TR351", "9351")},
        ),
    ],
)
def test_te_wijzigen_product_against_its_toewijzing(
    toewijzing: ToegewezenProduct | None, with_omvang: bool, expected: set[tuple[str, str]]
) -> None:
    history = FakeHistory()
    if toewijzing is not None:
        history.toewijzingen["10080"] = toewijzing
    assert _rules(_jw317_te_wijzigen(with_omvang), history) == expected


def test_every_history_rule_is_tested_here() -> None:
    tested = {"TR056", "TR333", "TR314", "TR338", "TR339", "TR340", "TR307", "TR308", "TR384", "TR387", "TR388"}
    tested |= {"TR323", "TR390", "TR389", "TR019", "TR304", "TR350", "TR351", "TR411", "TR412", "TR375"}
    tested |= {"TR341", "TR321", "TR322", "TR369", "TR357", "TR361", "TR332"}  # in test_history_volume.py
    tested |= {"TR063", "TR071", "TR074", "TR326", "TR382", "TR413", "TR414", "TR415"}  # test_history_regie.py
    tested |= {"TR337", "TR366", "TR367", "TR376"}  # test_history_antwoord.py
    tested |= {"TR347", "TR355", "TR359", "TR360", "TR365", "TR374", "TR379"}  # test_history_referentie.py
    tested |= {"TR418"}  # test_history_tarief.py
    tested |= {"TR371"}  # test_history_xsd_versie.py
    tested |= {"TR318", "TR349", "TR373", "TR385"}  # test_history_verzoek.py, test_history_gedeclareerd.py
    assert {r.id for r in RULES.values() if r.needs_history} <= tested


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"//Prestatie/ToewijzingNummer": "99999"},  # TR338, history
        {"//Prestatie/IngediendBedrag/Bedrag": "5001", "//Prestatie/ToewijzingNummer": "99999"},  # a sum, TR338
        {"//Prestatie/ProductPeriode/Einddatum": "2026-03-01", "Declaratie/DeclaratieNummer": "DN009"},
        {
            "Declaratie/TotaalIngediendBedrag/TotaalBedrag": "1",
            "//ProductReferentie/ReferentieNummer": "RN002",
            "//Prestatie/ProductCode": "45A09",
        },
    ],
)
def test_rules_without_history_then_with_it_merge_to_the_one_pass_findings(changes: dict[str, str]) -> None:
    """The worker runs the history-free rules before it takes the write lock, the history rules under it."""
    from gateway.rules import in_rule_order, run_rules
    from gateway.rules.context import RuleContext
    from tests.rules.support import kind_of

    root = clean("JW323")
    for path, value in changes.items():
        set_text(root, path, value)
    root = etree.fromstring(etree.tostring(root))
    history = FakeHistory(declaratienummers={("65656055", "DN001")}, prestaties={"RN003": _debet("RN003")})
    del history.toewijzingen["10074"]
    day = date(2026, 5, 10)
    one_pass = run_rules(root, kind_of(root), RuleContext(today=day, history=history, message_id="m-1"))
    context = RuleContext(today=day, history=history, message_id="m-1")
    local = run_rules(root, kind_of(root), context, part="local")
    later = run_rules(root, kind_of(root), context, part="history")
    assert in_rule_order([*local, *later]) == one_pass
    assert {f.rule for f in later} <= {r.id for r in RULES.values() if r.reads_history}
    assert not {f.rule for f in local} & {r.id for r in RULES.values() if r.reads_history}
    assert later  # the history always objects (TR333, TR314, TR338 are set up to fire)
    if len(changes) > 1:
        assert local  # both passes find something: the merge order is really tested


def test_jw325_identificatie_and_client_of_the_toewijzing() -> None:
    """TR056 and TR304 also hold for a JW325 (its parties swapped: the gemeente sends it)."""
    root = clean("JW325")

    def fired(history: FakeHistory) -> set[tuple[str, str]]:
        return {pair for pair in _rules(root, history) if pair[0] in ("TR056", "TR304")}

    assert fired(FakeHistory()) == set()
    assert fired(FakeHistory(identificaties={("0384", "654321987")})) == {("TR056", "9056")}
    history = FakeHistory()
    history.toewijzingen["10072"] = replace(history.toewijzingen["10072"], client="someone-else")
    assert fired(history) == {("TR304", "8187")}
    assert history.parties == [("0384", "65656055")]
