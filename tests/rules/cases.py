"""Per rule: a single fault injected into a clean official example, and a passing edit next to it.

``clean(message_type)`` is the official example with the faults it ships with repaired (see
test_examples.py for what fires on the untouched examples), so it fires no rule at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from tests.rules.support import duplicate, example, find, insert_after, remove, set_text

Edit = Callable[[etree._Element], object]
P1 = "//Prestatie"


def clean(message_type: str, version: str = "3.2") -> etree._Element:
    """The official example without its known faults."""
    root = example(message_type, version)
    if version != "3.2":
        return root
    if message_type == "JW315":
        for i in range(2):
            set_text(root, "//AangevraagdProduct/ToewijzingEinddatum", "2027-06-30", i)
    elif message_type == "JW317":
        set_text(root, "//NieuwProduct/Einddatum", "2027-02-28")
    elif message_type == "JW323":
        set_text(root, "//Prestatie/ToewijzingNummer", "10075", 3)
        set_text(root, "//Prestatie/ProductReferentie/ReferentieNummer", "RN005", 4)
    return root


def recompute_total(root: etree._Element) -> None:
    """Set TotaalIngediendBedrag to the signed sum of the Prestaties."""
    total = 0
    for p in root.iter("{*}Prestatie"):
        amount = int(find(p, "IngediendBedrag/Bedrag").text or 0)
        total += -amount if find(p, "IngediendBedrag/DebetCredit").text == "C" else amount
    set_text(root, "Declaratie/TotaalIngediendBedrag/TotaalBedrag", str(abs(total)))
    set_text(root, "Declaratie/TotaalIngediendBedrag/DebetCredit", "C" if total < 0 else "D")


_FB = "IngediendeBedragPrestatie/DeclaratieFactuurBedrag"


def recompute_total_2_3(root: etree._Element) -> None:
    """Set the 2.3 DeclaratieFactuurTotaalBedrag to the signed sum of the Prestaties."""
    total = 0
    for p in root.iter("{*}Prestatie"):
        amount = int(find(p, _FB + "/Bedrag").text or 0)
        total += -amount if find(p, _FB + "/DebetCredit").text == "C" else amount
    totaal = "Header/DeclaratieFactuurBedragen/DeclaratieFactuurTotaalBedrag"
    set_text(root, totaal + "/TotaalBedrag", str(abs(total)))
    set_text(root, totaal + "/DebetCredit", "C" if total < 0 else "D")


def credit_2_3(root: etree._Element, index: int, vorig: str) -> None:
    """Turn 2.3 Prestatie ``index`` into a credit of ``vorig``."""
    set_text(root, f"//Prestatie/{_FB}/DebetCredit", "C", index)
    insert_after(root, "//Prestatie/ProductReferentie/ReferentieNummer", "b:VorigReferentieNummer", vorig, index)
    recompute_total_2_3(root)


def credit(root: etree._Element, index: int, vorig: str) -> None:
    """Turn Prestatie ``index`` into a credit of ``vorig``."""
    set_text(root, "//Prestatie/IngediendBedrag/DebetCredit", "C", index)
    insert_after(root, "//Prestatie/ProductReferentie/ReferentieNummer", "b:VorigReferentieNummer", vorig, index)
    recompute_total(root)


def _seq(*edits: Edit) -> Edit:
    def run(root: etree._Element) -> None:
        for edit in edits:
            edit(root)

    return run


def t(path: str, value: str, index: int = 0) -> Edit:
    """An edit that sets one text."""
    return lambda root: set_text(root, path, value, index)


def rm(path: str, index: int = 0) -> Edit:
    """An edit that removes one element."""
    return lambda root: remove(root, path, index)


def add(path: str, name: str, value: str | None, index: int = 0) -> Edit:
    """An edit that inserts an element after ``path``."""
    return lambda root: insert_after(root, path, name, value, index)


def dup(path: str, index: int = 0) -> Edit:
    """An edit that duplicates one element."""
    return lambda root: duplicate(root, path, index)


def _noop(root: etree._Element) -> None:
    return None


@dataclass(frozen=True)
class Case:
    """A failing and a passing edit of one clean example for one rule."""

    rule: str
    retourcode: str
    message_type: str
    fail: Edit
    ok: Edit = _noop
    also: frozenset[str] = field(default_factory=frozenset)
    version: str = "3.2"

    @property
    def id(self) -> str:
        """The pytest id."""
        return f"{self.rule}-{self.message_type}-{self.version}"


def _total(root: etree._Element) -> None:
    recompute_total(root)


_TP1 = "//ToegewezenProduct"
_DAG = "Header/BerichtIdentificatie/Dagtekening"
_GEB = "Client/Geboortedatum/Datum"
_DP = "Declaratie/DeclaratiePeriode"
_PP = P1 + "/ProductPeriode"
_RC = "//Relatie/Contact"
_FDAG = "Header/DeclaratieFactuurIdentificatie/FactuurDagtekening"
_FTOT = "Header/DeclaratieFactuurBedragen/DeclaratieFactuurTotaalBedrag/TotaalBedrag"

CASES: tuple[Case, ...] = (
    # Header
    Case("TR135", "8848", "JW301", t(_DAG, "2026-11-26"), t(_DAG, "2026-11-25")),
    Case("TR135", "8848", "JW323", t(_DAG, "2027-01-01")),
    Case("TR135", "8848", "JW301", t("Header/BerichtIdentificatie/Dagtekening", "2026-11-26"), version="2.3"),
    Case("CS015", "0001", "JW305", t("Header/BerichtSubversie", "1")),
    Case("CS025", "0001", "JW305", t("Header/BerichtVersie", "2")),
    Case("TR378", "S300", "JW301", t("Header/Afzender", "0000"), t("Header/Afzender", "0034")),
    Case("TR378", "S300", "JW323", t("Header/Ontvanger", "9999"), t("Header/Ontvanger", "0363")),
    Case("TR378", "S300", "JW303", t("Header/Gemeente", "0001"), version="2.3"),
    # Client
    Case("CS002", "0001", "JW301", t("Client/Bsn", "123456789"), t("Client/Bsn", "123456782")),
    Case("CS002", "0001", "JW323", t("//Client/Bsn", "999900007", 1), t("//Client/Bsn", "999900018", 1)),
    Case("CS002", "0001", "JW305", t("Client/Bsn", "999999999"), version="2.3"),
    Case("TR002", "0001", "JW305", t(_GEB, "1906-04-14"), t(_GEB, "1906-04-15")),
    Case(
        "TR002",
        "0001",
        "JW301",
        t(_GEB, "1900-01-01"),
        _seq(t(_GEB, "1900-01-01"), add(_GEB, "b:DatumGebruik", "3")),
    ),
    Case(
        "CS139",
        "0001",
        "JW305",
        add(_GEB, "b:DatumGebruik", "1"),
        _seq(t(_GEB, "2010-02-01"), add(_GEB, "b:DatumGebruik", "1")),
    ),
    Case(
        "CS139",
        "0001",
        "JW301",
        _seq(t(_GEB, "2010-03-01"), add(_GEB, "b:DatumGebruik", "2")),
        _seq(t(_GEB, "2010-01-01"), add(_GEB, "b:DatumGebruik", "2")),
    ),
    # Periods
    Case(
        "TR018", "0001", "JW307", t("//StopProduct/Einddatum", "2026-04-02"), t("//StopProduct/Einddatum", "2026-04-03")
    ),
    Case(
        "TR018",
        "0001",
        "JW323",
        _seq(t(_PP + "/Begindatum", "2026-03-15", 4), t(_PP + "/Einddatum", "2026-03-10", 4)),
        _seq(t(_PP + "/Begindatum", "2026-03-15", 4), t(_PP + "/Einddatum", "2026-03-15", 4)),
    ),
    Case("CS003", "0001", "JW301", t(_TP1 + "/Einddatum", "2026-03-31"), t(_TP1 + "/Einddatum", "2026-04-01")),
    Case(
        "CS003",
        "0001",
        "JW317",
        t("//NieuwProduct/Einddatum", "2026-10-31"),
        t("//NieuwProduct/Einddatum", "2026-11-01"),
    ),
    Case("CS003", "0001", "JW315", t("//AangevraagdProduct/ToewijzingEinddatum", "2026-03-31")),
    # Declaratie
    Case("CS340", "0001", "JW323", t(_DP + "/Begindatum", "2026-04-02")),
    Case(
        "CS100",
        "0001",
        "JW323",
        _seq(t(_DP + "/Begindatum", "2020-12-01"), t(_DP + "/Einddatum", "2020-12-31")),
        also=frozenset({"TR319"}),
    ),
    Case(
        "CS337",
        "0001",
        "JW323",
        t(P1 + "/ProductPeriode/Einddatum", "2026-04-01", 4),
        t(P1 + "/ProductPeriode/Einddatum", "2026-03-30", 4),
    ),
    Case(
        "TR319",
        "9319",
        "JW323",
        # May 1-5: after the DeclaratiePeriode (April) but before the Dagtekening (May 6), so TR137 holds
        _seq(t(P1 + "/ProductPeriode/Begindatum", "2026-05-01"), t(P1 + "/ProductPeriode/Einddatum", "2026-05-05")),
    ),
    Case(
        "TR335",
        "0001",
        "JW323",
        t("Declaratie/DeclaratieDagtekening", "2031-05-06"),
        t("Declaratie/DeclaratieDagtekening", "2031-03-31"),
    ),
    Case("TR358", "0001", "JW323", t("Declaratie/TotaalIngediendBedrag/TotaalBedrag", "79001")),
    Case(
        "TR358",
        "0001",
        "JW323",
        t("Declaratie/TotaalIngediendBedrag/DebetCredit", "C"),
        _seq(lambda r: credit(r, 0, "RNX")),
    ),
    Case(
        "CS325",
        "0001",
        "JW323",
        _seq(t(P1 + "/GeleverdVolume", "0"), t(P1 + "/IngediendBedrag/Bedrag", "0"), lambda r: credit(r, 0, "RNX")),
        _seq(t(P1 + "/GeleverdVolume", "0"), t(P1 + "/IngediendBedrag/Bedrag", "0"), _total),
    ),
    Case(
        "CS339",
        "0001",
        "JW323",
        _seq(t(P1 + "/Eenheid", "83"), rm(P1 + "/ProductTarief")),
        _seq(t(P1 + "/Eenheid", "83"), rm(P1 + "/ProductTarief"), t(P1 + "/GeleverdVolume", "5000")),
    ),
    Case("CD087", "0001", "JW323", rm(P1 + "/ProductTarief")),
    Case("CD087", "0001", "JW323", _seq(t(P1 + "/Eenheid", "83"), t(P1 + "/GeleverdVolume", "5000"))),
    Case(
        "TR346",
        "9346",
        "JW323",
        _seq(t(P1 + "/IngediendBedrag/Bedrag", "5001"), _total),
        _seq(t(P1 + "/GeleverdVolume", "5"), t(P1 + "/IngediendBedrag/Bedrag", "6250"), _total),
    ),
    Case("CD060", "0001", "JW323", add(P1 + "/ProductReferentie/ReferentieNummer", "b:VorigReferentieNummer", "RN000")),
    Case(
        "CD060",
        "0001",
        "JW323",
        _seq(t(P1 + "/IngediendBedrag/DebetCredit", "C"), _total),
        lambda r: credit(r, 0, "RN000"),
    ),
    Case("TR314", "8021", "JW323", t(P1 + "/ProductReferentie/ReferentieNummer", "RN001", 2)),
    Case(
        "TR315",
        "0001",
        "JW323",
        _seq(lambda r: credit(r, 0, "RN000"), lambda r: credit(r, 1, "RN000")),
        _seq(lambda r: credit(r, 0, "RN000"), lambda r: credit(r, 1, "RN009")),
    ),
    Case("TR316", "0001", "JW323", lambda r: credit(r, 1, "RN001")),
    Case("TR416", "0001", "JW323", t(P1 + "/ToewijzingNummer", "10073", 3), t(P1 + "/ToewijzingNummer", "10076", 3)),
    Case("TR101", "0001", "JW323", _seq(dup(P1), _total), also=frozenset({"TR314", "TR416"})),
    Case(
        "CS319", "0001", "JW323", t("Declaratie/DeclaratieNummer", "DN-001"), t("Declaratie/DeclaratieNummer", "DN001X")
    ),
    # iJw 2.3 JW303 declaratie/factuur: the rules whose text holds for the 2.3 structure
    Case("TR135", "8848", "JW303", t(_FDAG, "2026-11-26"), t(_FDAG, "2026-11-25"), version="2.3"),
    Case(
        "TR002",
        "0001",
        "JW303",
        t("//Client/Geboortedatum/Datum", "1898-07-09"),
        t("//Client/Geboortedatum/Datum", "1898-07-10"),
        version="2.3",
    ),
    Case("CS002", "0001", "JW303", t("//Client/Bsn", "123456789", 1), version="2.3"),
    Case(
        "TR018",
        "0001",
        "JW303",
        t(P1 + "/ProductPeriode/Einddatum", "2018-05-31"),
        t(P1 + "/ProductPeriode/Begindatum", "2018-06-30"),
        version="2.3",
    ),
    Case(
        "TR319",
        "9319",
        "JW303",
        t(P1 + "/ProductPeriode/Einddatum", "2018-07-01"),
        t(P1 + "/ProductPeriode/Einddatum", "2018-06-29"),
        version="2.3",
    ),
    Case(
        "TR358",
        "0001",
        "JW303",
        t(_FTOT, "3590001"),
        _seq(t(P1 + "/" + _FB + "/Bedrag", "990001"), t(_FTOT, "3590001")),
        version="2.3",
    ),
    Case(
        "CS325",
        "0001",
        "JW303",
        _seq(t(P1 + "/" + _FB + "/Bedrag", "0"), lambda r: credit_2_3(r, 0, "REF000")),
        _seq(t(P1 + "/" + _FB + "/Bedrag", "0"), recompute_total_2_3),
        version="2.3",
    ),
    Case(
        "CD060",
        "0001",
        "JW303",
        _seq(t(P1 + "/" + _FB + "/DebetCredit", "C"), recompute_total_2_3),
        lambda r: credit_2_3(r, 0, "REF000"),
        version="2.3",
    ),
    Case(
        "TR315",
        "0001",
        "JW303",
        _seq(lambda r: credit_2_3(r, 0, "REF000"), lambda r: credit_2_3(r, 1, "REF000")),
        _seq(lambda r: credit_2_3(r, 0, "REF000"), lambda r: credit_2_3(r, 1, "REF001")),
        version="2.3",
    ),
    Case(
        "TR316",
        "0001",
        "JW303",
        lambda r: credit_2_3(r, 1, "REF123"),
        lambda r: credit_2_3(r, 1, "REF000"),
        version="2.3",
    ),
    Case("TR101", "0001", "JW303", _seq(dup(P1), recompute_total_2_3), version="2.3"),
    Case(
        "TR381",
        "S329",
        "JW303",
        _seq(t(P1 + "/ProductCategorie", "31"), t(P1 + "/ProductCode", "45A04")),
        version="2.3",
    ),
    # Dates against the message's Dagtekening
    Case("TR134", "0001", "JW301", t(_GEB, "2026-04-02"), t(_GEB, "2026-04-01")),
    Case("TR134", "0001", "JW301", t("//Relatie/Geboortedatum/Datum", "2026-05-01", 1)),
    Case(
        "TR134",
        "0001",
        "JW303",
        t("//Client/Geboortedatum/Datum", "2018-07-11"),
        t("//Client/Geboortedatum/Datum", "2018-07-10"),
        version="2.3",
    ),
    Case("TR137", "0001", "JW323", t(_DAG, "2026-04-29"), t(_DAG, "2026-04-30")),
    Case("TR137", "0001", "JW325", t(_DAG, "2023-04-29"), t(_DAG, "2023-04-30")),
    Case(
        "TR380",
        "0001",
        "JW317",
        t("//NieuwProduct/GewensteIngangsdatum", "2026-01-02"),
        t("//NieuwProduct/GewensteIngangsdatum", "2026-01-03"),
    ),
    # Contact details in the toewijzing
    Case(
        "TR006",
        "0001",
        "JW301",
        _seq(t(_RC + "/Soort", "02"), rm(_RC + "/Telefoon"), rm(_RC + "/Adres")),
        _seq(t(_RC + "/Soort", "02"), rm(_RC + "/Adres")),
    ),
    Case(
        "TR061",
        "0001",
        "JW301",
        t("Client/Contactgegevens/Contact/Soort", "04"),
        t("Client/Contactgegevens/Contact/Soort", "02"),
    ),
    Case(
        "TR006",
        "0001",
        "JW301",
        _seq(rm(_RC + "/Telefoon"), rm(_RC + "/Adres")),
        rm(_RC + "/Adres"),
        version="2.3",
    ),
    Case("TR061", "0001", "JW301", t("Client/Contactgegevens/Contact/Soort", "04"), version="2.3"),
    Case("TR101", "0001", "JW305", dup("//StartProduct"), version="2.3"),
    Case("TR101", "0001", "JW301", dup(_TP1), version="2.3"),
    Case("CD005", "0001", "JW301", rm("//Adres/LandCode")),
    Case("CD025", "0001", "JW301", rm("//Adres/Huis"), _seq(rm("//Adres/Huis"), t("//Adres/LandCode", "BE"))),
    Case(
        "CD034",
        "0001",
        "JW301",
        _seq(rm("//Adres/Postcode"), rm("//Adres/LandCode")),
        _seq(rm("//Adres/Postcode"), rm("//Adres/LandCode"), t(_RC + "/Soort", "02")),
    ),
    # Declaratie-antwoord
    Case(
        "TR342", "0001", "JW325", t(P1 + "/RetourCodes/RetourCode", "0200"), t(P1 + "/RetourCodes/RetourCode", "0233")
    ),
    Case(  # 8001 (volledig toegewezen) grants too: such a Prestatie does not belong in the antwoord
        "TR342", "0001", "JW325", t(P1 + "/RetourCodes/RetourCode", "8001"), t(P1 + "/RetourCodes/RetourCode", "9339")
    ),
    Case(  # the rejected Prestaties no longer explain TotaalIngediend - TotaalToegekend
        "TR342",
        "0001",
        "JW325",
        t("DeclaratieAntwoord/TotaalToegekendBedrag/TotaalBedrag", "33000"),
        _seq(
            t("DeclaratieAntwoord/TotaalToegekendBedrag/TotaalBedrag", "33000"),
            t(P1 + "/IngediendBedrag/Bedrag", "6000"),
        ),
    ),
    Case(
        "TR332",
        "9332",
        "JW301",
        t(_TP1 + "/ToewijzingNummer", "300201", 1),
        t(_TP1 + "/ToewijzingNummer", "300203", 1),
    ),
    # Products
    Case("TR381", "S329", "JW301", t(_TP1 + "/Product/Code", "45A03"), t(_TP1 + "/Product/Code", "55A99")),
    Case("TR381", "S329", "JW323", t(P1 + "/ProductCategorie", "40"), t(P1 + "/ProductCode", "45A04")),
    Case("TR381", "S329", "JW305", t("//StartProduct/Product/Code", "40A01")),
    Case(
        "CS335",
        "0001",
        "JW301",
        add(_TP1 + "/Einddatum", "RedenWijziging", "13"),
        _seq(t(_TP1 + "/Einddatum", "2026-04-01"), add(_TP1 + "/Einddatum", "RedenWijziging", "13")),
    ),
    Case(
        "CS336",
        "0001",
        "JW301",
        add(_TP1 + "/Einddatum", "RedenWijziging", "01"),
        add(_TP1 + "/Einddatum", "RedenWijziging", "02"),
    ),
    Case(
        "CS058", "0001", "JW305", t("//StartProduct/StatusAanlevering", "2"), t("//StartProduct/StatusAanlevering", "3")
    ),
    Case("CS058", "0001", "JW307", t("//StopProduct/StatusAanlevering", "2")),
    Case("CD041", "0001", "JW301", rm(_TP1 + "/Omvang")),
    Case(
        "CD075",
        "0001",
        "JW301",
        _seq(
            rm(_TP1 + "/Product/Code"),
            rm(_TP1 + "/Omvang"),
            add(_TP1 + "/Einddatum", "Budget", "1000"),
            rm(_TP1 + "/Einddatum"),
        ),
        _seq(rm(_TP1 + "/Product/Code"), rm(_TP1 + "/Omvang"), add(_TP1 + "/Einddatum", "Budget", "1000")),
    ),
    Case(
        "CD076",
        "0001",
        "JW301",
        rm(_TP1 + "/Einddatum"),
        _seq(rm(_TP1 + "/Einddatum"), t(_TP1 + "/Omvang/Frequentie", "4")),
    ),
    Case("CD077", "0001", "JW301", add(_TP1 + "/Omvang", "Budget", "1000"), also=frozenset({"CD078"})),
    Case("CD078", "0001", "JW301", add(_TP1 + "/Omvang", "Budget", "1000"), also=frozenset({"CD077"})),
    Case("CD079", "0001", "JW301", rm(_TP1 + "/Product")),
    Case("CD080", "0001", "JW301", rm(_TP1 + "/Product/Code"), _seq(rm(_TP1 + "/Product/Code"), rm(_TP1 + "/Omvang"))),
    Case("CD095", "0001", "JW315", rm("//AangevraagdProduct/Product/Code")),
    Case("CD096", "0001", "JW317", rm("//NieuwProduct/Product/Code")),
    Case("CS338", "0001", "JW301", t(_TP1 + "/Omvang/Frequentie", "1", 1), t(_TP1 + "/Omvang/Frequentie", "6", 1)),
    Case("CS343", "0001", "JW315", t("//AangevraagdProduct/Omvang/Frequentie", "1")),
    Case(
        "TR302",
        "0001",
        "JW301",
        t(_TP1 + "/Product/Code", "55A11", 1),
        _seq(t(_TP1 + "/Product/Code", "55A11", 1), t(_TP1 + "/Ingangsdatum", "2026-07-15", 1)),
    ),
    Case("TR386", "0001", "JW315", t("//AangevraagdProduct/Product/Code", "55A11", 1)),
    Case("TR410", "0001", "JW317", _seq(dup("//NieuwProduct"), t("//NieuwProduct/Omvang/Volume", "9", 1))),
    Case("TR101", "0001", "JW317", dup("//NieuwProduct"), also=frozenset({"TR410"})),
    Case("TR101", "0001", "JW317", dup("//OngewijzigdProduct")),
    Case("TR101", "0001", "JW315", dup("//AangevraagdProduct"), also=frozenset({"TR383", "TR386"})),
    Case("TR101", "0001", "JW325", dup(P1), also=frozenset({"TR342"})),
    Case("CD060", "0001", "JW325", rm(P1 + "/ProductReferentie/VorigReferentieNummer")),
    Case("TR101", "0001", "JW301", dup(_TP1), also=frozenset({"TR302", "TR332"})),
    Case("TR101", "0001", "JW305", dup("//StartProduct")),
    # Persons, contact, verwijzer
    Case("CS050", "0001", "JW301", t("//Naam/NaamGebruik", "6", 1), t("//Naam/NaamGebruik", "4", 1)),
    Case("CS050", "0001", "JW301", t("Client/Naam/NaamGebruik", "2")),
    Case("CS318", "0001", "JW301", t("Client/Naam/NaamGebruik", "6")),
    Case("CS089", "0001", "JW301", t("//Adres/Postcode", "0999XX"), t("//Adres/Postcode", "1234AB")),
    Case(
        "CD007",
        "0001",
        "JW301",
        rm("//Communicatie/Taal"),
        _seq(rm("//Communicatie/Taal"), t("//Communicatie/Vorm", "2")),
    ),
    Case("CD007", "0001", "JW301", t("//Communicatie/Vorm", "2")),
    Case(
        "CD009",
        "0001",
        "JW301",
        add("//Contact/Emailadres", "Periode", None),
        _seq(add("//Contact/Emailadres", "Periode", None), t("//Contact/Soort", "04")),
    ),
    Case("CD066", "0001", "JW315", add("//Verwijzer/Type", "b:Naam", "Dr. X", 1)),
    Case(
        "CD067",
        "0001",
        "JW315",
        rm("//Verwijzer/ZorgverlenerCode"),
        _seq(rm("//Verwijzer/ZorgverlenerCode"), add("//Verwijzer/Type", "b:Naam", "Dr. X", 1)),
    ),
    Case("CD068", "0001", "JW315", add("//Verwijzer/Type", "b:ZorgverlenerCode", "12345678")),
    # Verzoek
    Case("TR383", "0001", "JW315", t("//AangevraagdProduct/ReferentieAanbieder", "40A12341234", 1)),
    Case("CD043", "0001", "JW315", rm("//AangevraagdProduct/BeschikkingIngangsdatum")),
    Case("TR352", "0001", "JW317", rm("//OngewijzigdeProducten")),
    Case("TR353", "0001", "JW317", rm("//NieuweProducten")),
    Case("TR377", "0001", "JW319", rm("//Woonplaatsbeginsel")),
    Case(
        "TR409",
        "0001",
        "JW319",
        t("//RedenAfwijzingVerzoek", "1"),
        _seq(t("//RedenAfwijzingVerzoek", "1"), rm("//Woonplaatsbeginsel")),
    ),
    Case("CD085", "0001", "JW319", _seq(rm("//RedenAfwijzingVerzoek"), rm("//Woonplaatsbeginsel"))),
    Case(
        "CD086",
        "0001",
        "JW319",
        t("//VerzoekAntwoord", "2"),
        _seq(t("//VerzoekAntwoord", "2"), rm("//RedenAfwijzingVerzoek"), rm("//Woonplaatsbeginsel")),
    ),
)
