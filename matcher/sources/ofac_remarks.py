"""Parse the OFAC ``Remarks`` field, and OFAC's typed ``idList`` items, into model fields.

What the publisher writes: in OFAC's legacy CSV (``sdn.csv``, ``cons_prim.csv``) the last column,
Remarks, carries everything that has no column of its own, as ``; ``-separated items with one final
``.`` after the last item::

    DOB 01 Jan 1960; alt. DOB 1961; POB Gaza, Egypt; nationality Egypt; Gender Male;
    Passport 92/664 (Egypt) issued 01 Feb 1990; Tax ID No. 100036386 (Serbia);
    Digital Currency Address - XBT 1abc...; a.k.a. 'ABU X'; Linked To: HIZBALLAH.

An identifier item is ``<type> <number> (<country>) issued <date> expires <date>``, where the type is
exactly an ``idType`` of the sdnList XML (``Tax ID No.``, ``Registration ID``, ``Secondary sanctions
risk:``); the XML's ``idList`` gives the same triples as separate elements. So one table here serves
both formats (:meth:`RemarkFacts.add_remarks` for text, :meth:`RemarkFacts.add_id` for XML), and the
CSV and the XML of one publication map to the same identifiers.

Choices, and why:

- **Quoted aliases are weak.** OFAC puts *weak* AKAs (nicknames, short acronyms) in Remarks, in single
  quotes, and strong ones in ``alt.csv`` (OFAC FAQ 123, "Where can I find weak aliases?"); the XML marks
  the same names ``category weak``. So ``a.k.a. 'X'`` / ``n.k.a. 'X'`` / ``f.k.a. 'X'`` become
  ``weak_alias`` (weakness wins over "formerly": it is what scoring must know). An unquoted alias is
  kept by its marker (``a.k.a.``/``n.k.a.`` -> alias, ``f.k.a.`` -> former) unless marked ``(weak)`` or
  ``(low quality)``.
- **Split on ``;`` but not inside a quoted alias or parentheses.** Names contain apostrophes
  (``'ABU-'UMAR'``, ``GAMA'AT``), so a quote only closes where it is followed by ``;`` or the end; a
  parenthesised aside (one real entry has a whole ``(...; ...)`` passport transcript) stays one item.
- **Only the final ``.`` is stripped, and not after an abbreviation.** OFAC ends the text with ``.``
  but does not double it when the last item already ends in one (``Linked To: ... INDUSTRY CO.``,
  ``... S.A. DE C.V.``), so a final ``CO.``, ``LTD.``, ``INC.``, ``CORP.`` or dotted form (``S.A.``)
  keeps its period: it is part of the name a relation points to. This is a heuristic — OFAC also
  writes ``Linked To: EVIL CORP.`` for the entry named ``EVIL CORP`` (on the 2024 SDN file 6,522 of
  6,658 ``Linked To`` targets equal a listed name exactly, 136 differ by this final period) — so
  whoever resolves relations to entries should ignore a final ``.``.
- **Unknown items are kept, never guessed.** An item whose type is not in the tables below goes to
  :attr:`RemarkFacts.unparsed` unchanged; the parsers keep the full remarks on the entity anyway.
  Typed-but-unknown XML ``idType`` values become ``other`` identifiers (the XML says it is an id).
- **Sanctions notes are not identifiers.** ``Secondary sanctions risk:``, ``Additional Sanctions
  Information -``, directive and CMIC dates, ``Organization Type:`` and the like are published as ids
  but are descriptions; they go to ``extra`` under stable snake_case keys (several values joined
  with ``; ``).
- ``Gender`` is lower-cased (``male``/``female``); every other value is kept as published.

:attr:`RemarkFacts.kinds` records the kind of every item seen (``alias``, ``birth_date``,
``id:passport``, ``extra:target_type``, ``unparsed`` ...), which is how coverage is measured.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from matcher.model import BirthDate, Identifier, IdentifierKind, Name, NameKind, Relation
from matcher.sources.base import clean, parse_birth_date_text

K = IdentifierKind

# Identifier types as OFAC writes them (the XML idType, which is also the prefix of a remarks item).
# Labels are matched case-insensitively, longest first, so "Passport Booklet" wins over "Passport".
# A parenthesised qualifier right after a label ("Unified Social Credit Code (USCC)") is allowed.
ID_LABELS: dict[str, IdentifierKind] = {
    # travel documents
    "Passport": K.PASSPORT,
    "Diplomatic Passport": K.PASSPORT,
    "Passport Booklet": K.PASSPORT,
    "Travel Document Number": K.PASSPORT,
    "British National Overseas Passport": K.PASSPORT,
    "Stateless Person Passport": K.PASSPORT,
    # personal identity numbers
    "National ID No.": K.NATIONAL_ID,
    "Cedula No.": K.NATIONAL_ID,
    "C.U.R.P.": K.NATIONAL_ID,
    "C.U.R.P. #": K.NATIONAL_ID,
    "C.U.I.": K.NATIONAL_ID,
    "C.U.I.P.": K.NATIONAL_ID,
    "Identification Number": K.NATIONAL_ID,
    "D.N.I.": K.NATIONAL_ID,
    "N.I.E.": K.NATIONAL_ID,
    "Personal ID Card": K.NATIONAL_ID,
    "National Foreign ID Number": K.NATIONAL_ID,
    "Turkish Identification Number": K.NATIONAL_ID,
    "Numero de Identidad": K.NATIONAL_ID,
    "Citizen's Card Number": K.NATIONAL_ID,
    "Kenyan ID No.": K.NATIONAL_ID,
    "Tazkira National ID Card": K.NATIONAL_ID,
    "Moroccan Personal ID No.": K.NATIONAL_ID,
    "Bosnian Personal ID No.": K.NATIONAL_ID,
    "UAE Identification": K.NATIONAL_ID,
    "Credencial electoral": K.NATIONAL_ID,
    "Electoral Registry No.": K.NATIONAL_ID,
    "I.F.E.": K.NATIONAL_ID,
    "SSN": K.NATIONAL_ID,
    "Residency Number": K.NATIONAL_ID,
    "Refugee ID Card": K.NATIONAL_ID,
    "Stateless Person ID Card": K.NATIONAL_ID,
    "CNP": K.NATIONAL_ID,
    "Romanian Permanent Resident CAN": K.NATIONAL_ID,
    "Birth Certificate Number": K.NATIONAL_ID,
    "Military Registration Number": K.NATIONAL_ID,
    "Immigration No.": K.NATIONAL_ID,
    "Public Security and Immigration No.": K.NATIONAL_ID,
    # tax numbers
    "Tax ID No.": K.TAX_ID,
    "R.F.C.": K.TAX_ID,
    "R.F.C. #": K.TAX_ID,
    "RFC": K.TAX_ID,
    "NIT #": K.TAX_ID,
    "RUC #": K.TAX_ID,
    "RIF #": K.TAX_ID,
    "RTN": K.TAX_ID,
    "V.A.T. Number": K.TAX_ID,
    "US FEIN": K.TAX_ID,
    "C.U.I.T.": K.TAX_ID,
    "C.I.F.": K.TAX_ID,
    "Italian Fiscal Code": K.TAX_ID,
    "Fiscal Code": K.TAX_ID,
    "Romanian Tax Registration": K.TAX_ID,
    "N.I.F.": K.TAX_ID,
    "Paraguayan tax identification number": K.TAX_ID,
    "Numero Unico de Identificacao Tributaria": K.TAX_ID,
    # company and register numbers
    "Registration Number": K.REGISTRATION,
    "Registration ID": K.REGISTRATION,
    "Business Registration Number": K.REGISTRATION,
    "Business Registration Document #": K.REGISTRATION,
    "Business Number": K.REGISTRATION,
    "Company Number": K.REGISTRATION,
    "UK Company Number": K.REGISTRATION,
    "Company ID: No.": K.REGISTRATION,
    "Commercial Registry Number": K.REGISTRATION,
    "Folio Mercantil No.": K.REGISTRATION,
    "Matricula Mercantil No": K.REGISTRATION,
    "C.R. No.": K.REGISTRATION,
    "Romanian C.R.": K.REGISTRATION,
    "Economic Register Number": K.REGISTRATION,
    "Unified Social Credit Code": K.REGISTRATION,
    "United Social Credit Code Certificate": K.REGISTRATION,
    "Chamber of Commerce Number": K.REGISTRATION,
    "Istanbul Chamber of Comm. No.": K.REGISTRATION,
    "Dubai Chamber of Commerce Membership No.": K.REGISTRATION,
    "Trade License No.": K.REGISTRATION,
    "Central Registration System Number": K.REGISTRATION,
    "Enterprise Number": K.REGISTRATION,
    "Branch Unit Number": K.REGISTRATION,
    "Public Registration Number": K.REGISTRATION,
    "Certificate of Incorporation Number": K.REGISTRATION,
    "Registered Charity No.": K.REGISTRATION,
    "Government Gazette Number": K.REGISTRATION,
    "Organization Code": K.REGISTRATION,
    "MSB Registration Number": K.REGISTRATION,
    "Tourism License No.": K.REGISTRATION,
    "Registration Certificate Number": K.REGISTRATION,
    "Russian State Individual Business Registration Number Pattern": K.REGISTRATION,
    "C.I.N.": K.REGISTRATION,
    "D-U-N-S Number": K.REGISTRATION,
    "LE Number": K.REGISTRATION,
    "File Number": K.REGISTRATION,
    "Vessel Registration Identification": K.REGISTRATION,  # "IMO 1234567" values become imo
    "Afghan Money Service Provider License Number": K.REGISTRATION,
    "License": K.REGISTRATION,
    # finance
    "SWIFT/BIC": K.BIC,
    "Legal Entity Number": K.LEI,
    "ISIN": K.ISIN,
    "BIK": K.OTHER,  # Russian bank code (BIK (RU)), not a SWIFT BIC
    "Equity Ticker": K.OTHER,
    # vessels and aircraft
    "MMSI": K.MMSI,
    "Call Sign": K.CALL_SIGN,
    "Vessel Call Sign": K.CALL_SIGN,
    "Other Vessel Call Sign": K.CALL_SIGN,
    "Aircraft Tail Number": K.AIRCRAFT_TAIL,
    "Previous Aircraft Tail Number": K.AIRCRAFT_TAIL,
    "Aircraft Manufacturer's Serial Number": K.AIRCRAFT_SERIAL,
    "Aircraft Construction Number": K.AIRCRAFT_SERIAL,
    "Aircraft Serial Identification": K.AIRCRAFT_SERIAL,
    "Aircraft Mode S Transponder Code": K.OTHER,
    # contact
    "Email Address": K.EMAIL,
    "EMAIL": K.EMAIL,
    "Website": K.WEBSITE,
    "Phone Number": K.PHONE,
    "Telephone": K.PHONE,
    "Telephone No.": K.PHONE,
    "PHONE": K.PHONE,
    "Fax": K.PHONE,
    "Fax No.": K.PHONE,
    # other documents
    "Digital Currency Address": K.CRYPTO,  # "- XBT <address>": the currency goes to the note
    "Driver's License No.": K.OTHER,
    "Pilot License Number": K.OTHER,
    "Chinese Commercial Code": K.OTHER,
    "VisaNumberID": K.OTHER,
    "Cartilla de Servicio Militar Nacional": K.OTHER,
    "SRE Permit No.": K.OTHER,
    "Permit Number": K.OTHER,
    "Serial No.": K.OTHER,
    "Seafarer's Identification Document": K.OTHER,
    "Trademark number": K.OTHER,
}

# Items published as ids that describe the listing rather than identify the party -> extra[key].
EXTRA_LABELS: dict[str, str] = {
    "Secondary sanctions risk": "secondary_sanctions_risk",
    "Additional Sanctions Information": "additional_sanctions_information",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions": (
        "transactions_prohibited"
    ),
    "CAATSA Section 235 Information": "caatsa_235",
    "IFCA Determination": "ifca_determination",
    "Organization Established Date": "organization_established",
    "Organization Type": "organization_type",
    "Target Type": "target_type",
    "Issuer Name": "issuer_name",
    "Aircraft Model": "aircraft_model",
    "Aircraft Manufacture Date": "aircraft_manufacture_date",
    "Aircraft Operator": "aircraft_operator",
    "Vessel Year of Build": "vessel_year_of_build",
    "Former Vessel Flag": "former_vessel_flag",
    "Other Vessel Type": "other_vessel_type",
}

# Items that name a country associated with the entry -> countries (and extra[key]).
COUNTRY_LABELS: dict[str, str] = {
    "Nationality of Registration": "nationality_of_registration",
    "Other Vessel Flag": "other_vessel_flag",
}

# Sanctions notes whose "type" embeds a number or program, matched on the whole item.
_EXTRA_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Executive Order \d+ (?:Directive|information)\b", re.I), "directives"),
    (
        re.compile(r"^(?:Listing|Effective|Purchase/Sales For Divestment) Date \([^)]*\):?\s", re.I),
        "sanctions_dates",
    ),
)

_ALT = re.compile(r"^alt\.\s+", re.I)
_ALIAS = re.compile(
    r"^(?P<marker>[afn]\.k\.a\.|d\.b\.a\.)\s+(?P<name>.+?)(?:\s*\((?P<qual>weak|low quality)\))?$", re.I
)
_DOB = re.compile(r"^DOB:?\s+(?P<v>.+)$")
_POB = re.compile(r"^POB:?\s+(?P<v>.+)$")
_NATIONALITY = re.compile(r"^(?P<k>nationality|citizen)\s+(?P<v>.+)$")
_GENDER = re.compile(r"^Gender\s+(?P<v>Male|Female)$", re.I)
_LINKED = re.compile(r"^Linked To:\s*(?P<v>.+)$|^\(Linked To:\s*(?P<p>.+)\)$")


def _label_regex(labels: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    # label, an optional "(QUALIFIER)", an optional ":" or "-" separator, then the value
    return re.compile(
        rf"^(?P<label>{alternatives})(?=[\s:(\-]|$)\s*(?P<qual>\([^()]*\)(?=\s))?\s*(?::|-(?=\s))?\s*(?P<rest>.*)$",
        re.I,
    )


_ALL_LABELS = [*ID_LABELS, *EXTRA_LABELS, *COUNTRY_LABELS]
_LABEL_RE = _label_regex(_ALL_LABELS)
_CANONICAL = {label.casefold(): label for label in _ALL_LABELS}

_IMO = re.compile(r"^IMO\s*(?P<v>\d{7})$")
_COUNTRY_TAIL = re.compile(r"^(?P<value>.+?)\s*\((?P<country>[A-Z][A-Za-z ,.'\-]*)\)$")
_DATES_TAIL = re.compile(r"^(?P<value>.+?)\s+(?P<dates>(?:issued|expires)\b.*)$")
_ISSUED = re.compile(r"\bissued\s+(?P<v>.+?)(?=\s+expires\b|$)")
_EXPIRES = re.compile(r"\bexpires\s+(?P<v>.+)$")
_NO_COUNTRY_KINDS = frozenset({K.PHONE, K.EMAIL, K.WEBSITE, K.CRYPTO})
# In free text, a value of these kinds without a digit is prose ("Passport issued in Sarajevo"), not an id.
_NEEDS_DIGIT = frozenset(
    {K.PASSPORT, K.NATIONAL_ID, K.TAX_ID, K.REGISTRATION, K.MMSI, K.LEI, K.ISIN, K.PHONE}
)

# A text ending in an abbreviation ("... CO.", "S.A. DE C.V.") keeps its period: OFAC does not add a
# second one, so that period belongs to the name.
# Dotted forms must be capitals, so a final "www.bki.ir." still loses OFAC's period.
_ABBREVIATION = re.compile(
    r"(?:^|[\s,(])(?:(?:[A-Z]{1,4}\.)+[A-Z]{1,4}|(?i:CO|LTD|LTDA|INC|CORP|BHD|PTE|CIA|JR|SR|IND))\.$"
)

# An item: a quoted alias (the quote closes only before ";" or the end), or text in which
# parentheses are kept whole; the last alternative takes unbalanced text as is.
_ITEM = re.compile(
    r"""\s*(?P<item>
        (?:alt\.\s+)?(?:[afn]\.k\.a\.|d\.b\.a\.)\s+'.*?'(?:\s*\([^()]*\))?(?=\s*(?:;|$))
      | (?:[^;()]|\((?:[^()]|\([^()]*\))*\))+(?=;|$)
      | [^;]+(?=;|$)
    )\s*;?""",
    re.X | re.I,
)


def split_items(text: str) -> list[str]:
    """Split a Remarks text into its items, dropping the one final ``.`` OFAC appends."""
    text = " ".join(text.split())
    if text.endswith(".") and not _ABBREVIATION.search(text):
        text = text[:-1]
    items: list[str] = []
    pos = 0
    while pos < len(text):
        m = _ITEM.match(text, pos)
        if m is None or m.end() == pos:  # only an empty item ("; ;") is left here
            pos += 1
            continue
        item = m["item"].strip()
        if item:
            items.append(item)
        pos = m.end()
    return items


@dataclass(slots=True)
class RemarkFacts:
    """What the remarks and typed ids of one entry say, accumulated in publication order."""

    names: list[Name] = field(default_factory=list)
    birth_dates: list[BirthDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    gender: str | None = None
    related: list[Relation] = field(default_factory=list)
    extra_values: dict[str, list[str]] = field(default_factory=dict)
    unparsed: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def extra(self) -> dict[str, str]:
        """``extra_values`` with several values per key joined by ``; ``."""
        return {key: "; ".join(values) for key, values in self.extra_values.items()}

    # --- entry points ---------------------------------------------------------------------

    def add_remarks(self, text: str | None, *, truncated: bool = False) -> None:
        """Parse one Remarks text. ``truncated``: the text was cut (1,000-character limit with no
        comments file), so its last item is incomplete and is kept unparsed rather than misread."""
        text = clean(text)
        if text is None:
            return
        items = split_items(text)
        last = items.pop() if truncated and items else None
        for item in items:
            self.add_item(item)
        if last is not None:
            self._unparsed(last)

    def add_item(self, item: str) -> None:
        """Parse one remarks item (``alt. Passport 123 (Egypt)``, ``a.k.a. 'X'``, ...)."""
        body = _ALT.sub("", item.strip())
        if not body:
            return
        if m := _ALIAS.match(body):
            self._alias(m["marker"], m["name"], m["qual"])
        elif m := _LINKED.match(body):
            self.related.append(Relation((m["v"] or m["p"]).strip()))
            self.kinds["linked_to"] += 1
        elif (m := _LABEL_RE.match(body)) and m["rest"]:
            if not self._labelled(m["label"], m["qual"], m["rest"], country=None, issued=None, expires=None):
                self._unparsed(item)
        elif m := _DOB.match(body):
            date = parse_birth_date_text(m["v"])
            if date is None:
                self._unparsed(item)
            else:
                self.birth_dates.append(date)
                self.kinds["birth_date"] += 1
        elif m := _POB.match(body):
            self.birth_places.append(m["v"])
            self.kinds["birth_place"] += 1
        elif m := _NATIONALITY.match(body):
            self._nationality(m["v"], "citizenship" if m["k"] == "citizen" else "nationality")
        elif m := _GENDER.match(body):
            self._gender(m["v"])
        elif key := _extra_pattern(body):
            self._extra(key, body)
        else:
            self._unparsed(item)

    def add_id(
        self,
        id_type: str | None,
        number: str | None,
        country: str | None = None,
        issued: str | None = None,
        expires: str | None = None,
    ) -> None:
        """Map one typed id of the sdnList XML (``idType``, ``idNumber``, ``idCountry``, dates)."""
        id_type, number, country = clean(id_type), clean(number), clean(country)
        if number is None:
            return
        if id_type is None:
            self._identifier(K.OTHER, number, country, None, issued, expires)
            return
        text = f"{id_type} {number}"
        if (m := _LABEL_RE.match(text)) and m["rest"]:
            self._labelled(
                m["label"],
                m["qual"],
                m["rest"],
                country=country,
                issued=issued,
                expires=expires,
                structured=True,
            )
        elif _GENDER.match(text):
            self._gender(number)
        elif key := _extra_pattern(text):
            self._extra(key, text)
        else:  # a typed id the tables do not know: still an identifier, typed "other"
            self._identifier(K.OTHER, number, country, id_type, issued, expires)

    # --- item kinds -----------------------------------------------------------------------

    def _alias(self, marker: str, name: str, qualifier: str | None) -> None:
        marker = marker.lower()
        quoted = len(name) >= 2 and name[0] == "'" and name[-1] == "'"
        if quoted:
            name = name[1:-1].strip()
        if not name:
            return
        if quoted or qualifier:
            kind = NameKind.WEAK_ALIAS
        elif marker == "f.k.a.":
            kind = NameKind.FORMER
        else:
            kind = NameKind.ALIAS
        self.names.append(Name(name, kind))
        self.kinds[kind.value] += 1

    def _labelled(
        self,
        label: str,
        qualifier: str | None,
        rest: str,
        *,
        country: str | None,
        issued: str | None,
        expires: str | None,
        structured: bool = False,
    ) -> bool:
        """Map ``<label> <rest>``; ``False`` when free text only looked like an id."""
        label = _CANONICAL[label.casefold()]
        if label in EXTRA_LABELS:
            self._extra(EXTRA_LABELS[label], rest)
            return True
        if label in COUNTRY_LABELS:
            self._country(rest, COUNTRY_LABELS[label])
            return True
        kind = ID_LABELS[label]
        note = f"{label} {qualifier}" if qualifier else label
        if kind is K.CRYPTO:
            currency, _, address = rest.partition(" ")
            if address:
                note, rest = f"{label} - {currency}", address.strip()
        if country is None and kind not in _NO_COUNTRY_KINDS:
            rest, issued, expires = _split_dates(rest, issued, expires)
            if m := _COUNTRY_TAIL.match(rest):
                rest, country = m["value"], m["country"]
        if m := _IMO.match(rest):
            kind, rest = K.IMO, m["v"]
        if not structured and kind in _NEEDS_DIGIT and not any(c.isdigit() for c in rest):
            return False
        self._identifier(kind, rest, country, note, issued, expires)
        return True

    def _identifier(
        self,
        kind: IdentifierKind,
        value: str,
        country: str | None,
        note: str | None,
        issued: str | None,
        expires: str | None,
    ) -> None:
        parts = [p for p in (note, f"issued {issued}" if issued else None) if p]
        if expires:
            parts.append(f"expires {expires}")
        self.identifiers.append(Identifier(kind, value, country, "; ".join(parts) or None))
        if country is not None:
            self._add_country(country)
        self.kinds[f"id:{kind.value}"] += 1

    def _nationality(self, value: str, kind: str) -> None:
        if value not in self.nationalities:
            self.nationalities.append(value)
        self._add_country(value)
        self.kinds[kind] += 1

    def _country(self, value: str, key: str) -> None:
        self._add_country(value)
        self.extra_values.setdefault(key, []).append(value)
        self.kinds[f"country:{key}"] += 1

    def _add_country(self, value: str) -> None:
        if value not in self.countries:
            self.countries.append(value)

    def _gender(self, value: str) -> None:
        self.gender = value.lower()
        self.kinds["gender"] += 1

    def _extra(self, key: str, value: str) -> None:
        self.extra_values.setdefault(key, []).append(value)
        self.kinds[f"extra:{key}"] += 1

    def _unparsed(self, item: str) -> None:
        self.unparsed.append(item)
        self.kinds["unparsed"] += 1


def _extra_pattern(text: str) -> str | None:
    for pattern, key in _EXTRA_PATTERNS:
        if pattern.match(text):
            return key
    return None


def _split_dates(rest: str, issued: str | None, expires: str | None) -> tuple[str, str | None, str | None]:
    """Take ``issued <date>`` / ``expires <date>`` off the end of an id value."""
    m = _DATES_TAIL.match(rest)
    if m is None:
        return rest, issued, expires
    dates = m["dates"]
    if (i := _ISSUED.search(dates)) and issued is None:
        issued = i["v"]
    if (e := _EXPIRES.search(dates)) and expires is None:
        expires = e["v"]
    return m["value"], issued, expires


def parse_remarks(text: str | None, *, truncated: bool = False) -> RemarkFacts:
    """Parse one Remarks text into a fresh :class:`RemarkFacts`."""
    facts = RemarkFacts()
    facts.add_remarks(text, truncated=truncated)
    return facts


__all__ = [
    "COUNTRY_LABELS",
    "EXTRA_LABELS",
    "ID_LABELS",
    "RemarkFacts",
    "parse_remarks",
    "split_items",
]
