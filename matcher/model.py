"""The one entity model every list source is mapped into.

Why one model: the index, the scorer, the API and the bulk screener must never know which authority
published an entry. Each parser in :mod:`matcher.sources` maps the publisher's own record shape into
these frozen dataclasses, keeping the raw names exactly as published (normalising for matching happens
once, when the index is built) so explanations can always quote the list.

Entity ids are ``<source>:<native id>`` (``un:QDi.001``, ``ofac_sdn:36``); the native id per source is
documented in the catalog file ``lists/<source>.yml``.

Everything here serialises to plain JSON (:meth:`Entity.to_dict` / :meth:`Entity.from_dict`), which
is how list snapshots are stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EntityType(StrEnum):
    """What kind of party an entry describes."""

    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"


class NameKind(StrEnum):
    """How much weight a listed name deserves.

    ``weak_alias`` is what OFAC, the UN ("Low quality") and OFSI call low-quality aliases: they are
    kept because an analyst may need them, but scoring may discount them.
    """

    PRIMARY = "primary"
    ALIAS = "alias"
    WEAK_ALIAS = "weak_alias"
    FORMER = "former"
    ORIGINAL_SCRIPT = "original_script"


class IdentifierKind(StrEnum):
    """Typed identifiers; an equal strong identifier (IMO, passport) is decisive when matching."""

    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    TAX_ID = "tax_id"
    REGISTRATION = "registration"
    IMO = "imo"
    MMSI = "mmsi"
    CALL_SIGN = "call_sign"
    AIRCRAFT_TAIL = "aircraft_tail"
    AIRCRAFT_SERIAL = "aircraft_serial"
    BIC = "bic"
    LEI = "lei"
    ISIN = "isin"
    CRYPTO = "crypto"
    EMAIL = "email"
    WEBSITE = "website"
    PHONE = "phone"
    LIST_REF = "list_ref"
    OTHER = "other"


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date that may be known only to the year or month, as lists publish birth dates."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if self.day is not None and (self.month is None or not 1 <= self.day <= 31):
            raise ValueError(f"day out of range: {self.day}")

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ``ValueError`` otherwise."""
        m = _DATE_RE.match(text.strip())
        if m is None:
            raise ValueError(f"not an ISO (partial) date: {text!r}")
        year, month, day = m.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    def __str__(self) -> str:
        out = f"{self.year:04d}"
        if self.month is not None:
            out += f"-{self.month:02d}"
            if self.day is not None:
                out += f"-{self.day:02d}"
        return out


@dataclass(frozen=True, slots=True)
class DateRange:
    """A birth date given as a range ("between 1960 and 1965"), inclusive on both ends."""

    start: PartialDate
    end: PartialDate

    @classmethod
    def parse(cls, text: str) -> DateRange:
        start, _, end = text.partition("/")
        return cls(PartialDate.parse(start), PartialDate.parse(end))

    def __str__(self) -> str:
        return f"{self.start}/{self.end}"


BirthDate = PartialDate | DateRange


def parse_birth_date(text: str) -> BirthDate:
    """Parse the serialised form of a birth date: a partial ISO date or ``start/end``."""
    return DateRange.parse(text) if "/" in text else PartialDate.parse(text)


@dataclass(frozen=True, slots=True)
class Name:
    """One listed name, exactly as the publisher wrote it.

    ``script`` is an ISO 15924 code when the publisher says or the text shows it (``Cyrl``, ``Arab``);
    ``lang`` a language code when the publisher gives one.
    """

    value: str
    kind: NameKind = NameKind.PRIMARY
    script: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Identifier:
    """A typed identifier such as a passport or IMO number, with its issuing country if known."""

    kind: IdentifierKind
    value: str
    country: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as one line, plus its country when the publisher separates it."""

    full: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """A link to another entry ("Linked To:" in OFAC remarks, associated entities in UN comments)."""

    target: str
    kind: str = "linked_to"


@dataclass(frozen=True, slots=True)
class Entity:
    """One listed party, mapped from any source.

    ``countries`` holds every country associated with the entry (citizenship, residence, address,
    registration, flag); ``nationalities`` only those the list gives as nationality or citizenship.
    Countries are kept as the publisher wrote them; matching resolves them to ISO codes.
    """

    id: str
    source: str
    type: EntityType
    names: tuple[Name, ...]
    birth_dates: tuple[BirthDate, ...] = ()
    birth_places: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    programs: tuple[str, ...] = ()
    listed_on: PartialDate | None = None
    gender: str | None = None
    titles: tuple[str, ...] = ()
    remarks: str | None = None
    related: tuple[Relation, ...] = ()
    source_file: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.id.startswith(f"{self.source}:") or len(self.id) <= len(self.source) + 1:
            raise ValueError(f"entity id {self.id!r} must be '{self.source}:<native id>'")
        if not self.names:
            raise ValueError(f"entity {self.id} has no name")

    @property
    def native_id(self) -> str:
        return self.id[len(self.source) + 1 :]

    @property
    def primary_name(self) -> Name:
        """The publisher's main name; the first name when none is marked primary."""
        for name in self.names:
            if name.kind is NameKind.PRIMARY:
                return name
        return self.names[0]

    def to_dict(self) -> dict[str, Any]:
        """Serialise to JSON-ready data, leaving out empty fields to keep snapshots small."""
        out: dict[str, Any] = {"id": self.id, "source": self.source, "type": self.type.value}
        out["names"] = [
            _drop_none(n.value, n.kind.value, n.script, n.lang, keys=_NAME_KEYS) for n in self.names
        ]
        if self.birth_dates:
            out["birth_dates"] = [str(d) for d in self.birth_dates]
        for key in ("birth_places", "nationalities", "countries", "programs", "titles"):
            value = getattr(self, key)
            if value:
                out[key] = list(value)
        if self.addresses:
            out["addresses"] = [
                _drop_none(a.full, a.country, keys=("full", "country")) for a in self.addresses
            ]
        if self.identifiers:
            out["identifiers"] = [
                _drop_none(i.kind.value, i.value, i.country, i.note, keys=_ID_KEYS) for i in self.identifiers
            ]
        if self.related:
            out["related"] = [{"target": r.target, "kind": r.kind} for r in self.related]
        for key in ("listed_on", "gender", "remarks", "source_file"):
            value = getattr(self, key)
            if value is not None:
                out[key] = str(value)
        if self.extra:
            out["extra"] = dict(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        """Inverse of :meth:`to_dict`."""
        return cls(
            id=data["id"],
            source=data["source"],
            type=EntityType(data["type"]),
            names=tuple(
                Name(n["value"], NameKind(n["kind"]), n.get("script"), n.get("lang")) for n in data["names"]
            ),
            birth_dates=tuple(parse_birth_date(d) for d in data.get("birth_dates", ())),
            birth_places=tuple(data.get("birth_places", ())),
            nationalities=tuple(data.get("nationalities", ())),
            countries=tuple(data.get("countries", ())),
            addresses=tuple(Address(a["full"], a.get("country")) for a in data.get("addresses", ())),
            identifiers=tuple(
                Identifier(IdentifierKind(i["kind"]), i["value"], i.get("country"), i.get("note"))
                for i in data.get("identifiers", ())
            ),
            programs=tuple(data.get("programs", ())),
            listed_on=PartialDate.parse(data["listed_on"]) if "listed_on" in data else None,
            gender=data.get("gender"),
            titles=tuple(data.get("titles", ())),
            remarks=data.get("remarks"),
            related=tuple(Relation(r["target"], r["kind"]) for r in data.get("related", ())),
            source_file=data.get("source_file"),
            extra=dict(data.get("extra", {})),
        )


_NAME_KEYS = ("value", "kind", "script", "lang")
_ID_KEYS = ("kind", "value", "country", "note")


def _drop_none(*values: str | None, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in zip(keys, values, strict=True) if v is not None}


_SCRIPT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("LATIN", "Latn"),
    ("CYRILLIC", "Cyrl"),
    ("ARABIC", "Arab"),
    ("CJK", "Hani"),
    ("HANGUL", "Hang"),
    ("HIRAGANA", "Hira"),
    ("KATAKANA", "Kana"),
    ("GREEK", "Grek"),
    ("HEBREW", "Hebr"),
    ("THAI", "Thai"),
    ("GEORGIAN", "Geor"),
    ("ARMENIAN", "Armn"),
    ("DEVANAGARI", "Deva"),
    ("BENGALI", "Beng"),
    ("GURMUKHI", "Guru"),
    ("GUJARATI", "Gujr"),
    ("TELUGU", "Telu"),
    ("KANNADA", "Knda"),
    ("MALAYALAM", "Mlym"),
    ("KHMER", "Khmr"),
    ("MYANMAR", "Mymr"),
    ("ETHIOPIC", "Ethi"),
    ("TAMIL", "Taml"),
)


def detect_script(text: str) -> str | None:
    """The ISO 15924 code of the first script-bearing letter in ``text``, or ``None``.

    Why here: parsers tag original-script names and normalisation picks transliterators by script,
    and both may import only the model. ``unicodedata`` names carry the script as their first word,
    which is enough to pick a transliterator without a script database.
    """
    import unicodedata

    for char in text:
        if not char.isalpha():
            continue
        uname = unicodedata.name(char, "")
        for prefix, code in _SCRIPT_PREFIXES:
            if uname.startswith(prefix):
                return code
        return None
    return None


#: Version of the matching algorithm (normalisation, index layout, scoring). Results carry it so a
#: decision can be reproduced; saved indexes and cached results are keyed by it, so a new algorithm
#: never serves an index or a cached answer that an older one built. Bump on any change to
#: ``matcher.normalize``, ``matcher.index`` or ``matcher.score``.
ALGORITHM_VERSION = "2026.12.08.14"
