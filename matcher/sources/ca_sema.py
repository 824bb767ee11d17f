"""Parser for Canada's Consolidated Canadian Autonomous Sanctions List (format ``ca_sema``).

Global Affairs Canada publishes the list under SEMA and JVCFOA as ``sema-lmes.xml``::

    <data-set>
      <record>
        <Country>Russia / Russie</Country>            the regime, English / French
        <LastName/> <GivenName/>                      set for persons
        <EntityOrShip/>                               the name of an entity or a ship
        <TitleOrShip/>                                a person's title, or a ship's type
        <ShipIMONumber/> <DateOfBirthOrShipBuildDate/>
        <Aliases>Иван Иванович; Ivan Ivanov, ...</Aliases>
        <Schedule>1, Part 1</Schedule> <Item>123</Item>  <DateOfListing>2022-02-24</DateOfListing>
      </record>
    </data-set>

Mapping and why:

- Native id: the list has no id field. An entry is identified by its regime (Country), the schedule
  part of the regulations it is listed in, and its item number there; over all 4,759 records of the
  2025 file that triple is unique, while regime + item alone is not (item numbers restart in every
  part). The id is ``<regime>-<schedule>-<item>`` in lowercase ASCII, e.g. ``ca_sema:russia-1-part-1-123``,
  ``ca_sema:myanmar-burma-part-2-148``, ``ca_sema:jvcfor-12``: the regime is the English half of
  Country (before `` / ``), or its acronym when it ends with one in capitals (JVCFOR); the schedule
  keeps only its words and numbers, so the publisher's ``1,Part 3`` and ``1, Part 3`` are the same;
  regimes without schedule parts (Venezuela, Zimbabwe, ...) have none in the id.
- Type: a person when LastName or GivenName is set (name = GivenName LastName, the order Canada
  prints); otherwise a ship when it has a ShipIMONumber or a TitleOrShip (on a record with no person
  name that field can only be a ship type; in the 2025 file every such record is in Russia Schedule
  1.1, the ships schedule, and has an IMO number); otherwise an organization.
- Aliases are one free-text field with no fixed separator. Looking at the real file: ``;`` always
  separates names; ``,`` separates names except before or after a bare legal form (``Банк Зенит,
  ПАО``), which is detected with rigour's organisation-type database and kept with its name;
  language labels (``Belarusian:``, ``Russian :``) are dropped; `` or `` and ``/`` separate
  variants (``A/S``-style single letters around a slash are kept together). Newlines are layout.
  Non-Latin aliases are ``original_script``; a person's one-word alias (a bare given name or
  nickname such as ``Alexei``) is a weak alias. The unsplit text is kept in ``extra["aliases"]``.
  Known limit: the few names that contain a comma themselves (a long Russian foundation name,
  ``Баранов, Олег Анатольевич``) are split in two; the raw text stays available for review.
- Dates: DateOfBirthOrShipBuildDate is a birth date for persons (``1963 or 1964``, ``1963-1964``
  and year-only forms are handled; text that cannot be parsed, like ``born in the early 1970s``, is
  kept in ``extra["birth_date_text"]``) and a build date for ships (``extra["build_date"]``).
- Country (the regime, bilingual as published) is the program; DateOfListing the listing date;
  TitleOrShip a title for persons and ``extra["ship_type"]`` for ships; ShipIMONumber an IMO identifier.
- The file states no publication date, so ``report.published`` stays ``None``; a warning records
  the latest DateOfListing, which is the best lower bound for the publication date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path

from lxml import etree
from rigour.names.org_types import remove_org_types

from matcher.model import (
    BirthDate,
    Entity,
    EntityType,
    Identifier,
    IdentifierKind,
    Name,
    NameKind,
    PartialDate,
    detect_script,
)
from matcher.sources.base import (
    ParseReport,
    Rejected,
    UniqueIds,
    child_text,
    clean,
    iter_xml,
    parse_birth_date_text,
    parse_date,
    require_files,
)

FORMAT = "ca_sema"
ROOT = "data-set"

_ACRONYM = re.compile(r"\(([A-Z]{2,})\)\s*$")
_SCHEDULE_TOKENS = re.compile(r"[a-z]+|\d+(?:\.\d+)*")
_LABEL = re.compile(r"^\(?\s*[A-Z][a-z]+\s*:\s*")
_OR = re.compile(r"(?:^|\s+)or\s+")
_DATE_OR = re.compile(r"\s+or\s+", re.IGNORECASE)
_SLASH = re.compile(r"\s*/\s*")
_ENDS_SINGLE = re.compile(r"(?:^|\s)\w$")
_STARTS_SINGLE = re.compile(r"^\w(?:\s|$)")
_NON_WORD = re.compile(r"[\W_]+")


def parse(source: str, paths: Sequence[Path], report: ParseReport) -> Iterator[Entity]:
    """Stream the entities of one Canadian autonomous sanctions list file."""
    require_files(paths, FORMAT)
    ids = UniqueIds(
        report, missing="no Country or no Item, so no id", duplicate="duplicate Country + Schedule + Item"
    )
    latest: PartialDate | None = None
    for path in paths:
        for elem in iter_xml(path, ("record",), ROOT):
            report.records += 1
            listed = parse_date(child_text(elem, "DateOfListing"))
            if listed is not None and (latest is None or listed > latest):
                latest = listed
            native = native_id(
                child_text(elem, "Country"), child_text(elem, "Schedule"), child_text(elem, "Item")
            )
            label = native or f"record #{report.records} in {path.name}"
            entity = ids.admit(native, label, partial(_map_record, source, path.name, elem=elem))
            if entity is not None:
                yield entity
    if latest is not None:
        report.warnings.append(f"the file states no publication date; its latest DateOfListing is {latest}")


def native_id(country: str | None, schedule: str | None, item: str | None) -> str | None:
    """``<regime>-<schedule>-<item>``, the documented id of one record (see the module docstring)."""
    regime = _regime_slug(country or "")
    item_slug = _slug(item or "", keep=".")
    if not regime or not item_slug:
        return None
    part = "-".join(_SCHEDULE_TOKENS.findall((schedule or "").lower()))
    return "-".join(p for p in (regime, part, item_slug) if p)


def _regime_slug(country: str) -> str:
    english = country.split(" / ")[0]
    if m := _ACRONYM.search(english):
        return m[1].lower()
    return _slug(english)


def _slug(text: str, keep: str = "") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(rf"[^a-z0-9{re.escape(keep)}]+", "-", ascii_text).strip("-")


def _map_record(source: str, file_name: str, native: str, elem: etree._Element) -> Entity:
    given, last = child_text(elem, "GivenName"), child_text(elem, "LastName")
    other_name = child_text(elem, "EntityOrShip")
    title_or_ship = child_text(elem, "TitleOrShip")
    imo = child_text(elem, "ShipIMONumber")
    if given or last:
        entity_type = EntityType.PERSON
        primary = " ".join(p for p in (given, last) if p)
    elif other_name:
        entity_type = EntityType.VESSEL if imo or title_or_ship else EntityType.ORGANIZATION
        primary = other_name
    else:
        raise Rejected("no LastName, GivenName or EntityOrShip")
    is_person = entity_type is EntityType.PERSON

    extra = {"schedule": child_text(elem, "Schedule"), "item": child_text(elem, "Item")}
    aliases_text = child_text(elem, "Aliases")
    names = [Name(primary, NameKind.PRIMARY, detect_script(primary))]
    seen = {primary}
    for alias in split_aliases(aliases_text or ""):
        if alias not in seen:
            seen.add(alias)
            names.append(Name(alias, _alias_kind(alias, is_person), detect_script(alias)))
    extra["aliases"] = aliases_text

    birth_dates: tuple[BirthDate, ...] = ()
    date_text = child_text(elem, "DateOfBirthOrShipBuildDate")
    if is_person:
        birth_dates, unparsed = _birth_dates(date_text)
        extra["birth_date_text"] = date_text if unparsed else None
    elif entity_type is EntityType.VESSEL:
        extra["build_date"] = date_text
        extra["ship_type"] = title_or_ship
    else:
        extra["date"] = date_text

    country = child_text(elem, "Country")
    return Entity(
        id=f"{source}:{native}",
        source=source,
        type=entity_type,
        names=tuple(names),
        birth_dates=birth_dates,
        identifiers=(Identifier(IdentifierKind.IMO, imo),) if imo else (),
        programs=(country,) if country else (),
        listed_on=parse_date(child_text(elem, "DateOfListing")),
        titles=(title_or_ship,) if is_person and title_or_ship else (),
        source_file=file_name,
        extra={k: v for k, v in extra.items() if v},
    )


def split_aliases(text: str) -> list[str]:
    """Split Canada's free-text Aliases field into names (the rules are in the module docstring)."""
    out: list[str] = []
    for chunk in text.split(";"):
        for piece in _comma_pieces(chunk):
            for variant in _OR.split(_LABEL.sub("", piece)):
                for name in _slash_pieces(variant):
                    tidy = _tidy(name)
                    if tidy and tidy not in out:
                        out.append(tidy)
    return out


def _comma_pieces(chunk: str) -> list[str]:
    """Split on commas, keeping a bare legal form (``ПАО``, ``LLC``) with the name it belongs to."""
    out: list[str] = []
    pending = ""
    for raw in chunk.split(","):
        piece = clean(raw)
        if not piece:
            continue
        if _is_legal_form(piece):
            if out:
                out[-1] = f"{out[-1]}, {piece}"
            else:
                pending = f"{pending}{piece}, "
            continue
        out.append(pending + piece)
        pending = ""
    if pending:
        out.append(pending.rstrip(", "))
    return out


def _is_legal_form(piece: str) -> bool:
    if not _NON_WORD.sub("", piece):
        return False
    return not _NON_WORD.sub("", remove_org_types(piece.casefold()))


def _slash_pieces(text: str) -> list[str]:
    out: list[str] = []
    for part in _SLASH.split(text):
        if out and _ENDS_SINGLE.search(out[-1]) and _STARTS_SINGLE.match(part):
            out[-1] = f"{out[-1]}/{part}"
        else:
            out.append(part)
    return out


def _tidy(name: str) -> str | None:
    """Trim separators and a bracket left unbalanced by the split (``СКР)``)."""
    text = clean(name)
    if text is None:
        return None
    text = text.strip(" ,;:")
    if text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1]
    if text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:]
    return clean(text.strip(" ,;:"))


def _alias_kind(alias: str, is_person: bool) -> NameKind:
    if is_person and len(alias.split()) == 1:
        return NameKind.WEAK_ALIAS
    if detect_script(alias) not in (None, "Latn"):
        return NameKind.ORIGINAL_SCRIPT
    return NameKind.ALIAS


def _birth_dates(text: str | None) -> tuple[tuple[BirthDate, ...], bool]:
    """Birth dates from ``1965-04-29``, ``1963 or 1964``, ``1963-1964``; and whether any part failed."""
    if not text:
        return (), False
    dates: list[BirthDate] = []
    failed = False
    for part in _DATE_OR.split(text):
        parsed = parse_birth_date_text(part)
        if parsed is None:
            failed = True
        elif parsed not in dates:
            dates.append(parsed)
    return tuple(dates), failed
