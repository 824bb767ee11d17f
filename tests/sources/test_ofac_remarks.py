"""The OFAC Remarks parser: item splitting, each item kind, the XML idList path, coverage on the real file.

The remark strings below are written for these tests, modelled on the shapes in the real sdn.csv.
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from matcher.model import DateRange, Identifier, IdentifierKind, Name, NameKind, PartialDate, Relation
from matcher.sources.ofac_remarks import RemarkFacts, parse_remarks, split_items
from tests.conftest import shared_path

K = IdentifierKind
EO_13224 = "section 1(b) of Executive Order 13224, as amended by Executive Order 13886"

SPLITS = [
    ("DOB 1962; POB Shati.", ["DOB 1962", "POB Shati"]),
    # an apostrophe inside a quoted alias does not close it; a ';' inside one does not split it
    (
        "a.k.a. 'ABU-'UMAR'; a.k.a. 'ONE; TWO'; Gender Male.",
        ["a.k.a. 'ABU-'UMAR'", "a.k.a. 'ONE; TWO'", "Gender Male"],
    ),
    # a parenthesised aside stays one item, even with ';' inside
    (
        "National ID No. 1372 (Kenya); (Data from a passport: Alt. DOB 1969; Passport 12, Eritrea); "
        "a.k.a. 'Z'.",
        [
            "National ID No. 1372 (Kenya)",
            "(Data from a passport: Alt. DOB 1969; Passport 12, Eritrea)",
            "a.k.a. 'Z'",
        ],
    ),
    # the final period is OFAC's, except after an abbreviation that ends the last name
    ("Linked To: HIZBALLAH.", ["Linked To: HIZBALLAH"]),
    ("Linked To: GULF EXAMPLE TRADING CO.", ["Linked To: GULF EXAMPLE TRADING CO."]),
    ("Linked To: SERVICIOS EJEMPLO, S.A. DE C.V.", ["Linked To: SERVICIOS EJEMPLO, S.A. DE C.V."]),
    ("a.k.a. 'DOCTOR M.R.O.'.", ["a.k.a. 'DOCTOR M.R.O.'"]),
    ("Website www.bki.ir.", ["Website www.bki.ir"]),  # lower-case dotted text is not an abbreviation
    # a period inside an item is kept
    (
        "alt. Secondary sanctions risk: See Section 11 of Executive Order 14024.; "
        "Target Type Financial Institution.",
        [
            "alt. Secondary sanctions risk: See Section 11 of Executive Order 14024.",
            "Target Type Financial Institution",
        ],
    ),
    (
        "Telephone (98)(21)(66153220); Fax (98)(21)(22224537).",
        ["Telephone (98)(21)(66153220)", "Fax (98)(21)(22224537)"],
    ),
    ("Gender Male;  ;   POB   Gaza,\r\n Egypt.", ["Gender Male", "POB Gaza, Egypt"]),
    # unbalanced text (a cut remark) is taken as is
    ("Passport 123 (Egy", ["Passport 123 (Egy"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "items"), SPLITS)
def test_split_items(text: str, items: list[str]) -> None:
    assert split_items(text) == items


def _passport(value: str, country: str | None, note: str) -> list[Identifier]:
    return [Identifier(K.PASSPORT, value, country, note)]


# (item, RemarkFacts attribute, expected value of that attribute)
ITEMS: list[tuple[str, str, object]] = [
    ("DOB 01 Jan 1960", "birth_dates", [PartialDate(1960, 1, 1)]),
    ("alt. DOB 1961", "birth_dates", [PartialDate(1961)]),
    ("DOB Jan 1960", "birth_dates", [PartialDate(1960, 1)]),
    ("DOB circa 1960", "birth_dates", [PartialDate(1960)]),
    ("DOB 1960 to 1962", "birth_dates", [DateRange(PartialDate(1960), PartialDate(1962))]),
    (
        "DOB 02 Mar 1958 to 05 Mar 1958",
        "birth_dates",
        [DateRange(PartialDate(1958, 3, 2), PartialDate(1958, 3, 5))],
    ),
    ("POB Culiacan, Sinaloa, Mexico", "birth_places", ["Culiacan, Sinaloa, Mexico"]),
    ("alt. POB Yemen", "birth_places", ["Yemen"]),
    ("nationality Korea, North", "nationalities", ["Korea, North"]),
    ("alt. citizen Mexico", "nationalities", ["Mexico"]),
    ("nationality Iran", "countries", ["Iran"]),
    ("Gender Female", "gender", "female"),
    # quoted aliases are OFAC's weak AKAs, whatever the marker
    ("a.k.a. 'EL CHAPO'", "names", [Name("EL CHAPO", NameKind.WEAK_ALIAS)]),
    ("f.k.a. 'OLD BANK'", "names", [Name("OLD BANK", NameKind.WEAK_ALIAS)]),
    ("n.k.a. 'NEW BANK'", "names", [Name("NEW BANK", NameKind.WEAK_ALIAS)]),
    ("a.k.a. 'ABU-'UMAR'", "names", [Name("ABU-'UMAR", NameKind.WEAK_ALIAS)]),
    ("a.k.a. 'AL SUDANI, Abu Seif'", "names", [Name("AL SUDANI, Abu Seif", NameKind.WEAK_ALIAS)]),
    # unquoted ones keep their marker's meaning unless marked weak
    ("a.k.a. NUEVO NOMBRE S.A.", "names", [Name("NUEVO NOMBRE S.A.", NameKind.ALIAS)]),
    ("f.k.a. VIEJO NOMBRE", "names", [Name("VIEJO NOMBRE", NameKind.FORMER)]),
    ("n.k.a. NEW NAME LLC", "names", [Name("NEW NAME LLC", NameKind.ALIAS)]),
    ("a.k.a. SHORTY (low quality)", "names", [Name("SHORTY", NameKind.WEAK_ALIAS)]),
    ("a.k.a. SHORTY (weak)", "names", [Name("SHORTY", NameKind.WEAK_ALIAS)]),
    (
        "Passport A1234567 (Canada) issued 02 Feb 2010 expires 01 Feb 2020",
        "identifiers",
        _passport("A1234567", "Canada", "Passport; issued 02 Feb 2010; expires 01 Feb 2020"),
    ),
    (
        "alt. Passport L 191609 issued 28 Feb 1996 expires 27 Feb 2001",
        "identifiers",
        _passport("L 191609", None, "Passport; issued 28 Feb 1996; expires 27 Feb 2001"),
    ),
    (
        "Diplomatic Passport 008827 (Iran) issued 1999",
        "identifiers",
        _passport("008827", "Iran", "Diplomatic Passport; issued 1999"),
    ),
    (
        "National ID No. 216040 (Yemen)",
        "identifiers",
        [Identifier(K.NATIONAL_ID, "216040", "Yemen", "National ID No.")],
    ),
    (
        "Cedula No. 6068015 (Colombia)",
        "identifiers",
        [Identifier(K.NATIONAL_ID, "6068015", "Colombia", "Cedula No.")],
    ),
    (
        "C.U.R.P. AIMM671205HCHRRG06 (Mexico)",
        "identifiers",
        [Identifier(K.NATIONAL_ID, "AIMM671205HCHRRG06", "Mexico", "C.U.R.P.")],
    ),
    (
        "R.F.C. DIB-771110-HQ1 (Mexico)",
        "identifiers",
        [Identifier(K.TAX_ID, "DIB-771110-HQ1", "Mexico", "R.F.C.")],
    ),
    ("RFC SAEA740214 (Mexico)", "identifiers", [Identifier(K.TAX_ID, "SAEA740214", "Mexico", "RFC")]),
    ("Tax ID No. AABA 670850 Y", "identifiers", [Identifier(K.TAX_ID, "AABA 670850 Y", None, "Tax ID No.")]),
    (
        "Registration ID 14063277",
        "identifiers",
        [Identifier(K.REGISTRATION, "14063277", None, "Registration ID")],
    ),
    (
        "Registration Number HRA 738077 (Stuttgart) (Germany)",
        "identifiers",
        [Identifier(K.REGISTRATION, "HRA 738077 (Stuttgart)", "Germany", "Registration Number")],
    ),
    (
        "Unified Social Credit Code (USCC) 9113100033607322XK (China)",
        "identifiers",
        [Identifier(K.REGISTRATION, "9113100033607322XK", "China", "Unified Social Credit Code (USCC)")],
    ),
    (
        "Vessel Registration Identification IMO 7406784",
        "identifiers",
        [Identifier(K.IMO, "7406784", None, "Vessel Registration Identification")],
    ),
    (
        "Identification Number IMO 5342883",
        "identifiers",
        [Identifier(K.IMO, "5342883", None, "Identification Number")],
    ),
    (
        "Vessel Registration Identification RS 150443 (Russia)",
        "identifiers",
        [Identifier(K.REGISTRATION, "RS 150443", "Russia", "Vessel Registration Identification")],
    ),
    ("MMSI 572469210", "identifiers", [Identifier(K.MMSI, "572469210", None, "MMSI")]),
    ("SWIFT/BIC HAVIGB2L", "identifiers", [Identifier(K.BIC, "HAVIGB2L", None, "SWIFT/BIC")]),
    (
        "Legal Entity Number 253400V1H6ART1UQ0N98 (Russia)",
        "identifiers",
        [Identifier(K.LEI, "253400V1H6ART1UQ0N98", "Russia", "Legal Entity Number")],
    ),
    ("ISIN US16941M1099", "identifiers", [Identifier(K.ISIN, "US16941M1099", None, "ISIN")]),
    (
        "Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h",
        "identifiers",
        [Identifier(K.CRYPTO, "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", None, "Digital Currency Address - XBT")],
    ),
    (
        "alt. Digital Currency Address - ETH 0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
        "identifiers",
        [
            Identifier(
                K.CRYPTO, "0x098B716B8Aaf21512996dC57EB0615e2383E2f96", None, "Digital Currency Address - ETH"
            )
        ],
    ),
    (
        "Email Address info@example.org",
        "identifiers",
        [Identifier(K.EMAIL, "info@example.org", None, "Email Address")],
    ),
    ("Website www.example.ir", "identifiers", [Identifier(K.WEBSITE, "www.example.ir", None, "Website")]),
    ("Phone Number 982188526300", "identifiers", [Identifier(K.PHONE, "982188526300", None, "Phone Number")]),
    # a phone number in parentheses is not an issuing country
    (
        "Telephone (98)(21)(66153220)",
        "identifiers",
        [Identifier(K.PHONE, "(98)(21)(66153220)", None, "Telephone")],
    ),
    (
        "Aircraft Tail Number EP-MMH",
        "identifiers",
        [Identifier(K.AIRCRAFT_TAIL, "EP-MMH", None, "Aircraft Tail Number")],
    ),
    (
        "Aircraft Manufacturer's Serial Number (MSN) 1023409321",
        "identifiers",
        [Identifier(K.AIRCRAFT_SERIAL, "1023409321", None, "Aircraft Manufacturer's Serial Number (MSN)")],
    ),
    ("Linked To: HIZBALLAH", "related", [Relation("HIZBALLAH")]),
    ("(Linked To: HAMAS)", "related", [Relation("HAMAS")]),
    (
        "Linked To: ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE",
        "related",
        [Relation("ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE")],
    ),
    (
        "Additional Sanctions Information - Subject to Secondary Sanctions",
        "extra",
        {"additional_sanctions_information": "Subject to Secondary Sanctions"},
    ),
    (
        f"Secondary sanctions risk: {EO_13224}",
        "extra",
        {"secondary_sanctions_risk": EO_13224},
    ),
    ("Organization Established Date 1969", "extra", {"organization_established": "1969"}),
    ("Organization Type: Passenger air transport", "extra", {"organization_type": "Passenger air transport"}),
    ("Target Type Government Entity", "extra", {"target_type": "Government Entity"}),
    (
        "alt. Executive Order 13662 Directive Determination - Subject to Directive 4",
        "extra",
        {"directives": "Executive Order 13662 Directive Determination - Subject to Directive 4"},
    ),
    (
        "Listing Date (EO 14024 Directive 2): 24 Feb 2022",
        "extra",
        {"sanctions_dates": "Listing Date (EO 14024 Directive 2): 24 Feb 2022"},
    ),
    ("Former Vessel Flag Tuvalu", "extra", {"former_vessel_flag": "Tuvalu"}),
    ("Nationality of Registration Korea, North", "countries", ["Korea, North"]),
    # unknown or prose items are kept unchanged, never guessed
    (
        "Member of the State Duma of the Federal Assembly of the Russian Federation",
        "unparsed",
        ["Member of the State Duma of the Federal Assembly of the Russian Federation"],
    ),
    (
        "Passport issued in Sarajevo, Bosnia-Herzegovina",
        "unparsed",
        ["Passport issued in Sarajevo, Bosnia-Herzegovina"],
    ),
    ("DOB sometime in spring", "unparsed", ["DOB sometime in spring"]),
    ("ICTY indictee", "unparsed", ["ICTY indictee"]),
]


@pytest.mark.parametrize(("item", "attribute", "expected"), ITEMS, ids=[i[0][:50] for i in ITEMS])
def test_remark_item(item: str, attribute: str, expected: object) -> None:
    facts = parse_remarks(item + ".")
    assert getattr(facts, attribute) == expected
    if attribute != "unparsed":
        assert facts.unparsed == []


def test_whole_remarks_in_order() -> None:
    facts = parse_remarks(
        "DOB 14 Apr 1970; POB Bedfordview, South Africa; nationality Lebanon; Gender Male; "
        "Passport 2654120 (Lebanon) expires 22 Oct 2018; Identification Number 9204146485189 (South Africa); "
        "Chief of Example Operations; a.k.a. 'ABU X'; a.k.a. 'THE TALL'; Linked To: EXAMPLE GROUP."
    )
    assert facts.birth_dates == [PartialDate(1970, 4, 14)]
    assert facts.nationalities == ["Lebanon"]
    assert facts.countries == ["Lebanon", "South Africa"]
    assert [i.kind for i in facts.identifiers] == [K.PASSPORT, K.NATIONAL_ID]
    assert facts.identifiers[0].note == "Passport; expires 22 Oct 2018"
    assert [n.value for n in facts.names] == ["ABU X", "THE TALL"]
    assert facts.related == [Relation("EXAMPLE GROUP")]
    assert facts.unparsed == ["Chief of Example Operations"]
    assert facts.kinds == Counter(
        {
            "birth_date": 1,
            "birth_place": 1,
            "nationality": 1,
            "gender": 1,
            "id:passport": 1,
            "id:national_id": 1,
            "unparsed": 1,
            "weak_alias": 2,
            "linked_to": 1,
        }
    )


def test_several_values_of_one_extra_key_are_joined() -> None:
    facts = parse_remarks(
        "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; "
        "alt. Secondary sanctions risk: See Section 11 of Executive Order 14024."
    )
    assert facts.extra == {
        "secondary_sanctions_risk": "North Korea Sanctions Regulations, sections 510.201 and 510.210; "
        "See Section 11 of Executive Order 14024"
    }


def test_truncated_remarks_leave_the_cut_item_unparsed() -> None:
    text = "Tax ID No. 7700000000 (Russia); a.k.a. 'WHOIS HACK"
    assert parse_remarks(text).names == [Name("'WHOIS HACK", NameKind.ALIAS)]  # what a naive read gives
    facts = parse_remarks(text, truncated=True)
    assert facts.names == []
    assert facts.unparsed == ["a.k.a. 'WHOIS HACK"]
    assert facts.identifiers == [Identifier(K.TAX_ID, "7700000000", "Russia", "Tax ID No.")]


@pytest.mark.parametrize("empty", [None, "", "-0- ", "   "])
def test_null_remarks(empty: str | None) -> None:
    facts = parse_remarks(empty)
    assert sum(facts.kinds.values()) == 0


# --- the XML idList path ---------------------------------------------------------------------

IDS: list[tuple[tuple[str | None, ...], str, object]] = [
    (
        ("Vessel Registration Identification", "IMO 9123456"),
        "identifiers",
        [Identifier(K.IMO, "9123456", None, "Vessel Registration Identification")],
    ),
    (
        ("Digital Currency Address - XBT", "1FzWLkAahHooV3kzTgyx6qsswXJ6sCXkSR"),
        "identifiers",
        [Identifier(K.CRYPTO, "1FzWLkAahHooV3kzTgyx6qsswXJ6sCXkSR", None, "Digital Currency Address - XBT")],
    ),
    (("BIK (RU)", "044525000"), "identifiers", [Identifier(K.OTHER, "044525000", None, "BIK (RU)")]),
    (
        ("Passport", "A1234567", "Canada", "02 Feb 2010", "01 Feb 2020"),
        "identifiers",
        _passport("A1234567", "Canada", "Passport; issued 02 Feb 2010; expires 01 Feb 2020"),
    ),
    # the XML is typed, so a value without digits is still an id there
    (("Call Sign", "UBCD"), "identifiers", [Identifier(K.CALL_SIGN, "UBCD", None, "Call Sign")]),
    (
        ("Seaman's Book Number", "SB-1", "Canada"),
        "identifiers",
        [Identifier(K.OTHER, "SB-1", "Canada", "Seaman's Book Number")],
    ),
    (
        ("Secondary sanctions risk:", "See Section 11 of Executive Order 14024."),
        "extra",
        {"secondary_sanctions_risk": "See Section 11 of Executive Order 14024."},
    ),
    (
        ("Executive Order 14024 Directive Information -", "Subject to Directive 3"),
        "extra",
        {"directives": "Executive Order 14024 Directive Information - Subject to Directive 3"},
    ),
    (
        ("Effective Date (CMIC)", "02 Aug 2021"),
        "extra",
        {"sanctions_dates": "Effective Date (CMIC) 02 Aug 2021"},
    ),
    (("Gender", "Female"), "gender", "female"),
    (("Nationality of Registration", "Korea, North"), "countries", ["Korea, North"]),
    (
        ("Website", "www.example.ru"),
        "identifiers",
        [Identifier(K.WEBSITE, "www.example.ru", None, "Website")],
    ),
    ((None, "12345"), "identifiers", [Identifier(K.OTHER, "12345")]),
    (("Passport", None), "identifiers", []),
]


@pytest.mark.parametrize(("args", "attribute", "expected"), IDS, ids=[str(i[0][0]) for i in IDS])
def test_xml_id(args: tuple[str | None, ...], attribute: str, expected: object) -> None:
    facts = RemarkFacts()
    facts.add_id(*args)
    assert getattr(facts, attribute) == expected
    assert facts.unparsed == []


@pytest.mark.parametrize(
    ("item", "id_args"),
    [
        ("Registration Number 1027700342890 (Russia)", ("Registration Number", "1027700342890", "Russia")),
        (
            "Vessel Registration Identification IMO 7406784",
            ("Vessel Registration Identification", "IMO 7406784"),
        ),
        (
            "Unified Social Credit Code (USCC) 91110000710934369E (China)",
            ("Unified Social Credit Code (USCC)", "91110000710934369E", "China"),
        ),
        (
            "Passport 0310857 (Eritrea) issued 21 Aug 2006 expires 20 Aug 2008",
            ("Passport", "0310857", "Eritrea", "21 Aug 2006", "20 Aug 2008"),
        ),
        (
            "Digital Currency Address - LTC LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z",
            ("Digital Currency Address - LTC", "LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z"),
        ),
        ("Organization Type: Defense activities", ("Organization Type:", "Defense activities")),
    ],
)
def test_remark_item_and_xml_id_agree(item: str, id_args: tuple[str, ...]) -> None:
    from_text = parse_remarks(item)
    from_xml = RemarkFacts()
    from_xml.add_id(*id_args)
    assert from_text.identifiers == from_xml.identifiers
    assert from_text.extra == from_xml.extra
    assert from_text.countries == from_xml.countries


# --- coverage on the real list ---------------------------------------------------------------


@pytest.mark.shared
def test_coverage_on_real_sdn_remarks() -> None:
    path = shared_path("lists", "ofac_sdn", "sdn.csv")
    total = RemarkFacts()
    with path.open(encoding="latin-1", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) == 12:
                facts = parse_remarks(row[11], truncated=len(row[11]) >= 1000)
                total.kinds.update(facts.kinds)
    items = sum(total.kinds.values())
    # measured on the 2024-05-03 file: 61,084 items, 96.3% mapped; the rest is prose (positions, notes)
    assert items == 61_084
    assert total.kinds["unparsed"] / items < 0.04
    # each count below is also what a plain text search of the file finds: 6,375 "Linked To: ";
    # 3,666 quoted a.k.a./f.k.a./n.k.a. minus the 3 cut at 1,000 characters, plus one quoted d.b.a.;
    # 4,264 "Gender M/F"; 982 "IMO" + 7 digits; 7,534 "DOB ..." (every one of them parses)
    assert total.kinds["linked_to"] == 6_375
    assert total.kinds["weak_alias"] == 3_664
    assert total.kinds["gender"] == 4_264
    assert total.kinds["id:imo"] == 982
    assert total.kinds["birth_date"] == 7_534
