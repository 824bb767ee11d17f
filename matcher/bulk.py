"""Streaming CSV screening: a customer or payments file in, the same file with screening columns out.

What a job does, in order:

1. **Encoding.** A UTF-16 byte-order mark selects UTF-16. Otherwise every physical line is decoded
   as UTF-8 (a leading UTF-8 BOM is dropped and written back on output, so Excel keeps reading the
   result as UTF-8), and a line that is not valid UTF-8 is read as Windows-1252, the Latin-1 superset
   that Excel and most Western back-office systems write (plain Latin-1 where even that fails).
   Deciding per line rather than once on a sample means a file that is UTF-8 for 10 MB and then has
   one Latin-1 line is still read right, and no byte stops the job.
2. **Dialect.** ``csv.Sniffer`` looks at the first 64 KB for one of ``,`` ``;`` tab ``|``; when it
   cannot decide, the candidate that occurs most in the header line wins, then the comma. Only the
   delimiter is taken from the sniffer: its quote-character guess trips over names such as O'Brien,
   so quoting is always RFC 4180 double quotes. The output uses the input's delimiter.
3. **Header and columns.** The first row is the header (required). The name column is the one
   given, else the first header among :data:`NAME_HEADERS` (``name``, ``full_name``,
   ``customer_name``...), else first + middle + last name columns joined. Type, birth date, country,
   nationality, identifier and client-id columns are optional and found the same way. A header the
   job cannot use fails the job at once, before any output, so an HTTP adapter can still answer 4xx.
4. **Rows.** Each record becomes a :class:`~matcher.engine.Query`. A row that cannot be screened
   (empty name, unknown type, unreadable birth date, more cells than the header, undecodable text)
   keeps all its cells and gets ``decision=error`` and the reason: output rows = input rows, always.
   Blank lines are not records and are only counted.
5. **Dedup.** Repeated names are scored once: results are kept in a bounded LRU keyed on the
   normalised name (NFKC, case-folded, whitespace collapsed, which is all the engine's own
   normalisation depends on) plus the row's qualifiers. A key already being scored by an earlier
   in-flight batch waits for that batch instead of being scored twice.
6. **Output.** Every input column, then ``match_id``, ``match_name``, ``match_list``,
   ``match_score``, ``decision`` (``match`` / ``no_match`` / ``error``), ``match_count`` (matches at
   or above the threshold among the top :data:`MATCH_LIMIT`), ``explanation`` and ``error``. Names
   already taken by an input column get a ``screen_`` prefix. CSV output neutralises every cell that
   starts with ``=`` ``+`` ``-`` ``@`` tab or CR by prefixing a single quote, as OWASP's "CSV
   Injection" page recommends, because the file will be opened in a spreadsheet; JSON lines carry
   the values unchanged (no spreadsheet evaluates them).

Memory does not grow with the file: rows stream through in batches (at most ``window`` batches in
flight), and the only per-file state is the LRU of results, whose size is fixed
(``MATCHER_BULK_CACHE``). Limits on bytes and rows (``MATCHER_MAX_UPLOAD_MB``, ``MATCHER_MAX_ROWS``)
stop a job with :class:`BulkLimitError` as soon as they are crossed.

Scoring is pluggable so the same job runs in-process (the HTTP service, where each gunicorn worker
already is a process) or over a process pool (:class:`PoolScorer`, ``matcher screen --workers N``):
each pool process loads the engine once in its initializer, batches go out in order and come back in
order, so parallel output is byte-identical to serial output.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import multiprocessing
import os
import re
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from matcher.engine import Engine, MatchResult, Query, date_of
from matcher.errors import MatcherError, QueryError
from matcher.model import EntityType, PartialDate

log = logging.getLogger(__name__)

#: Header names tried, in order, for each role (compared after :func:`header_key`).
NAME_HEADERS = (
    "name",
    "full_name",
    "fullname",
    "customer_name",
    "client_name",
    "party_name",
    "entity_name",
    "account_name",
    "account_holder",
    "holder_name",
    "beneficiary_name",
    "beneficiary",
    "counterparty_name",
    "counterparty",
    "company_name",
    "legal_name",
    "vessel_name",
    "names",
    "nom",
    "nombre",
    "name_1",
)
FIRST_NAME_HEADERS = ("first_name", "firstname", "given_name", "given_names", "forename", "forenames")
MIDDLE_NAME_HEADERS = ("middle_name", "middle_names", "middlename")
LAST_NAME_HEADERS = ("last_name", "lastname", "surname", "family_name")
TYPE_HEADERS = ("type", "entity_type", "party_type", "customer_type", "schema", "kind")
BIRTH_DATE_HEADERS = ("birth_date", "date_of_birth", "dob", "birthdate", "born", "birth")
COUNTRY_HEADERS = ("country", "country_code", "residence_country", "country_of_residence", "jurisdiction")
NATIONALITY_HEADERS = ("nationality", "citizenship")
ID_HEADERS = (
    "identifier",
    "identifiers",
    "id_number",
    "passport",
    "passport_number",
    "passport_no",
    "national_id",
    "tax_id",
    "registration_number",
    "imo",
    "imo_number",
    "lei",
)
CLIENT_ID_HEADERS = (
    "client_id",
    "customer_id",
    "account_id",
    "account_number",
    "record_id",
    "reference",
    "id",
)

#: How a type cell is read (after :func:`header_key`-style folding).
TYPE_VALUES: dict[str, EntityType] = {
    **dict.fromkeys(
        ("person", "individual", "natural_person", "private", "people", "p", "i", "ind", "indiv"),
        EntityType.PERSON,
    ),
    **dict.fromkeys(
        (
            "organization",
            "organisation",
            "org",
            "entity",
            "company",
            "corporate",
            "corporation",
            "business",
            "legal_entity",
            "legal_person",
            "legal",
            "firm",
            "institution",
            "e",
            "c",
            "o",
        ),
        EntityType.ORGANIZATION,
    ),
    **dict.fromkeys(("vessel", "ship", "v"), EntityType.VESSEL),
    **dict.fromkeys(("aircraft", "airplane", "plane", "a"), EntityType.AIRCRAFT),
}

OUTPUT_COLUMNS = (
    "match_id",
    "match_name",
    "match_list",
    "match_score",
    "decision",
    "match_count",
    "explanation",
    "error",
)
#: Candidates asked of the engine per query; ``match_count`` counts matches among them.
MATCH_LIMIT = 10
#: Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV Injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SAMPLE_BYTES = 64 * 1024
MAX_LINE_BYTES = 1024 * 1024
MAX_EXPLANATION = 300
DELIMITERS = ",;\t|"

Progress = Callable[[int, int], None]
"""``progress(rows_done, bytes_read)``, called after every batch."""


class BulkError(QueryError):
    """The file as a whole cannot be screened (no header, no name column, unknown column...)."""

    STATUS = 422


class BulkLimitError(BulkError):
    """The file is larger than the configured byte or row limit."""

    STATUS = 413


class _RecordError(BulkError):
    """One record the csv module cannot read; it becomes an error row, the job goes on."""


def header_key(text: str) -> str:
    """``"Date of Birth"`` -> ``date_of_birth``: how headers and type values are compared."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip().lstrip("\ufeff")
    return re.sub(r"[^\w]+", "_", folded).strip("_")


def neutralize(cell: str) -> str:
    """Prefix a cell a spreadsheet would evaluate as a formula with a single quote."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


# --- Options, outcomes and summary --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BulkOptions:
    """How to read the file and what to screen it against. Column names are header texts; empty
    means "detect". ``threshold=None`` uses the engine's default."""

    name_columns: tuple[str, ...] = ()
    type_column: str | None = None
    birth_date_column: str | None = None
    country_column: str | None = None
    nationality_column: str | None = None
    id_columns: tuple[str, ...] = ()
    client_id_column: str | None = None
    threshold: float | None = None
    lists: tuple[str, ...] = ()
    output: str = "csv"
    max_bytes: int | None = None
    max_rows: int | None = None
    cache_size: int = 200_000
    batch_size: int = 256
    delimiter: str | None = None

    def __post_init__(self) -> None:
        if self.output not in ("csv", "jsonl"):
            raise QueryError("output must be csv or jsonl", where="format")
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise QueryError("threshold must be between 0 and 1", where="threshold")
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise QueryError("delimiter must be one character", where="delimiter")
        if self.batch_size < 1 or self.cache_size < 0:
            raise QueryError("batch_size must be >= 1 and cache_size >= 0", where="options")


@dataclass(frozen=True, slots=True)
class Outcome:
    """The screening columns of one row. Small and picklable: pool workers send these back."""

    decision: str
    match_id: str = ""
    match_name: str = ""
    match_list: str = ""
    score: float | None = None
    count: int = 0
    explanation: str = ""
    error: str = ""

    @classmethod
    def failed(cls, message: str) -> Outcome:
        return cls("error", error=message)

    def cells(self) -> list[str]:
        score = "" if self.score is None else f"{self.score:.4f}"
        return [
            self.match_id,
            self.match_name,
            self.match_list,
            score,
            self.decision,
            str(self.count),
            self.explanation,
            self.error,
        ]


def outcome_of(result: MatchResult) -> Outcome:
    """The row columns for one engine result."""
    alerts = result.alerts
    if alerts:
        top = alerts[0]
        explanation = top.explanation.summary()
        if len(explanation) > MAX_EXPLANATION:
            explanation = explanation[: MAX_EXPLANATION - 1] + "…"
        return Outcome(
            "match",
            top.entity_id,
            top.name,
            top.source,
            top.score,
            len(alerts),
            explanation,
        )
    if result.matches and result.matches[0].score > 0:
        best = result.matches[0]
        note = (
            f"no match at {result.threshold:.2f}; best candidate {best.score:.3f}: "
            f"{best.name} ({best.entity_id})"
        )
        return Outcome("no_match", explanation=note)
    return Outcome("no_match", explanation="no candidates")


class Matcher(Protocol):
    """What a scorer needs of an engine (an :class:`~matcher.engine.Engine`, or a test double)."""

    def match(
        self,
        query: Query | str,
        lists: Sequence[str] | None = ...,
        types: Sequence[EntityType | str] | None = ...,
        threshold: float | None = ...,
        limit: int = ...,
    ) -> MatchResult: ...


def score_queries(
    engine: Matcher, queries: Sequence[Query], threshold: float | None, lists: Sequence[str]
) -> list[Outcome]:
    """Screen each query; a query the engine rejects becomes an error outcome, never an exception,
    so one bad name cannot stop a million-row job."""
    out: list[Outcome] = []
    for query in queries:
        try:
            result = engine.match(query, lists=list(lists) or None, threshold=threshold, limit=MATCH_LIMIT)
        except MatcherError as exc:
            out.append(Outcome.failed(exc.message))
            continue
        except Exception as exc:  # a bug for one name must not lose the other rows
            log.exception("screening %r failed", query.name)
            out.append(Outcome.failed(f"internal error: {type(exc).__name__}: {exc}"))
            continue
        out.append(outcome_of(result))
    return out


@dataclass(slots=True)
class BulkSummary:
    """What a finished (or running) job did. ``scored`` counts engine queries; ``cache_hits`` the
    rows answered from an earlier identical row."""

    rows: int = 0
    alerts: int = 0
    errors: int = 0
    blank_lines: int = 0
    scored: int = 0
    cache_hits: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    encoding: str = ""
    delimiter: str = ""
    columns: dict[str, Any] = field(default_factory=dict)
    decoded_as_latin: int = 0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "alerts": self.alerts,
            "errors": self.errors,
            "blank_lines": self.blank_lines,
            "scored": self.scored,
            "cache_hits": self.cache_hits,
            "bytes": self.bytes_read,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second, 1),
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "columns": self.columns,
            "lines_read_as_windows_1252": self.decoded_as_latin,
        }

    def describe(self) -> str:
        """One line for people."""
        return (
            f"{self.rows:,} rows screened: {self.alerts:,} alerts, {self.errors:,} errors; "
            f"{self.scored:,} distinct queries scored; "
            f"{self.seconds:.1f} s, {self.rows_per_second:,.0f} rows/s"
        )


# --- Scorers: in-process and a process pool -----------------------------------------------------


class Scorer(Protocol):
    """Scores batches of queries; results come back in submission order."""

    #: Batches that may be in flight before the oldest must be collected.
    window: int

    def submit(self, queries: list[Query]) -> Callable[[], list[Outcome]]: ...

    def close(self) -> None: ...


class SerialScorer:
    """Scores in the calling process (the HTTP service, tests, ``--workers 1``)."""

    window = 0

    def __init__(self, engine: Matcher, threshold: float | None = None, lists: Sequence[str] = ()) -> None:
        self.engine = engine
        self.threshold = threshold
        self.lists = tuple(lists)

    def submit(self, queries: list[Query]) -> Callable[[], list[Outcome]]:
        done = score_queries(self.engine, queries, self.threshold, self.lists)
        return lambda: done

    def close(self) -> None:
        pass


_WORKER: tuple[Engine, float | None, tuple[str, ...]] | None = None


def _init_worker(loader: Callable[[], Engine], threshold: float | None, lists: tuple[str, ...]) -> None:
    """Pool initializer: load the engine once per worker process and warm it up."""
    global _WORKER
    engine = loader()
    engine.warm_up()
    _WORKER = (engine, threshold, lists)


def _worker_pid(_: int) -> int:
    return os.getpid()


def _score_in_worker(queries: list[Query]) -> list[Outcome]:
    assert _WORKER is not None, "pool worker was not initialised"
    engine, threshold, lists = _WORKER
    return score_queries(engine, queries, threshold, lists)


class PoolScorer:
    """Scores over ``workers`` processes, each loading the engine once with ``loader`` (a picklable
    callable such as ``functools.partial(matcher.load_engine, data_dir)``).

    ``spawn`` is the default start method: a fresh interpreter per worker inherits no locks or
    threads from the parent (click's progress bar, a web server), at the price of a slower start.
    """

    def __init__(
        self,
        loader: Callable[[], Engine],
        workers: int,
        threshold: float | None = None,
        lists: Sequence[str] = (),
        start_method: str = "spawn",
    ) -> None:
        if workers < 1:
            raise QueryError("workers must be at least 1", where="workers")
        context = multiprocessing.get_context(start_method)
        self.window = workers * 2
        self.workers = workers
        self._pool = context.Pool(
            workers, initializer=_init_worker, initargs=(loader, threshold, tuple(lists))
        )

    def submit(self, queries: list[Query]) -> Callable[[], list[Outcome]]:
        pending = self._pool.apply_async(_score_in_worker, (queries,))
        return pending.get

    def wait_ready(self, timeout: float = 300.0) -> None:
        """Block until every worker has run its initializer (loaded its engine), so a caller can
        time screening without the start-up."""
        seen: set[int] = set()
        deadline = time.monotonic() + timeout
        while len(seen) < self.workers:
            if time.monotonic() > deadline:
                raise QueryError(f"only {len(seen)} of {self.workers} workers started", where="workers")
            seen.update(self._pool.map(_worker_pid, range(self.workers * 4), chunksize=1))

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> PoolScorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- Reading ------------------------------------------------------------------------------------


class _Reader:
    """Physical lines of the input as text, decoded line by line (see the module docstring),
    counting bytes and enforcing the byte limit."""

    def __init__(self, stream: IO[bytes], max_bytes: int | None) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.bytes_read = 0
        self.latin_lines = 0
        self.utf8_lines = 0
        head = self._read(SAMPLE_BYTES)
        self.bom = b""
        self.encoding = "utf-8"
        self._utf16: codecs.IncrementalDecoder | None = None
        if head.startswith(codecs.BOM_UTF8):
            self.bom, head, self.encoding = codecs.BOM_UTF8, head[3:], "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "utf-16"
            self._utf16 = codecs.getincrementaldecoder("utf-16")(errors="replace")
        self._head = head

    @property
    def label(self) -> str:
        """The encoding as found: per line, so a file may turn out mixed."""
        if not self.latin_lines or self._utf16 is not None:
            return self.encoding
        if not self.utf8_lines:
            return "windows-1252"
        return f"{self.encoding} + windows-1252"

    def sample(self) -> str:
        """The first bytes as text, for sniffing the delimiter."""
        return self._head.decode("utf-16" if self._utf16 else "utf-8", errors="replace")

    def _read(self, size: int) -> bytes:
        data = self.stream.read(size)
        self.bytes_read += len(data)
        if self.max_bytes is not None and self.bytes_read > self.max_bytes:
            raise BulkLimitError(
                f"the file is larger than the limit of {self.max_bytes / 2**20:g} MB", where="file"
            )
        return data

    def _raw_lines(self) -> Iterator[bytes]:
        buffer = self._head
        self._head = b""
        # Lines end in LF (or CRLF); a file without any LF but with CRs is an old-Mac CR file.
        newline = b"\r" if b"\n" not in buffer and b"\r" in buffer else b"\n"
        while True:
            start = 0
            cut = buffer.find(newline)
            while cut >= 0:
                yield buffer[start : cut + 1]
                start = cut + 1
                cut = buffer.find(newline, start)
            buffer = buffer[start:]
            if len(buffer) > MAX_LINE_BYTES:
                raise BulkError(f"a line is longer than {MAX_LINE_BYTES // 1024} KB: not a CSV file", "file")
            chunk = self._read(SAMPLE_BYTES)
            if not chunk:
                if buffer:
                    yield buffer
                return
            buffer += chunk

    def lines(self) -> Iterator[str]:
        if self._utf16 is not None:
            yield from self._utf16_lines()
            return
        for raw in self._raw_lines():
            try:
                line = raw.decode("utf-8")
                if not raw.isascii():
                    self.utf8_lines += 1
                yield line
            except UnicodeDecodeError:
                self.latin_lines += 1
                try:
                    yield raw.decode("cp1252")
                except UnicodeDecodeError:
                    yield raw.decode("latin-1")

    def _utf16_lines(self) -> Iterator[str]:
        assert self._utf16 is not None
        pending = ""
        data = self._head
        while True:
            pending += self._utf16.decode(data, final=not data)
            start = 0
            cut = pending.find("\n")
            while cut >= 0:
                yield pending[start : cut + 1]
                start = cut + 1
                cut = pending.find("\n", start)
            pending = pending[start:]
            if len(pending) > MAX_LINE_BYTES:
                raise BulkError(f"a line is longer than {MAX_LINE_BYTES // 1024} KB: not a CSV file", "file")
            if not data:
                if pending:
                    yield pending
                return
            data = self._read(SAMPLE_BYTES)


def sniff_delimiter(sample: str) -> str:
    """The delimiter of ``sample`` (see the module docstring for the fallbacks)."""
    sample = sample[: sample.rfind("\n") + 1] or sample
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
        if found in DELIMITERS:
            return found
    except csv.Error:
        pass
    header = sample.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Which header position plays which role (``None`` / empty when absent)."""

    header: tuple[str, ...]
    name: tuple[int, ...]
    type: int | None = None
    birth_date: int | None = None
    country: int | None = None
    nationality: int | None = None
    identifiers: tuple[int, ...] = ()
    client_id: int | None = None

    def describe(self) -> dict[str, Any]:
        def name(i: int | None) -> str | None:
            return None if i is None else self.header[i]

        return {
            "name": [self.header[i] for i in self.name],
            "type": name(self.type),
            "birth_date": name(self.birth_date),
            "country": name(self.country),
            "nationality": name(self.nationality),
            "identifiers": [self.header[i] for i in self.identifiers],
            "client_id": name(self.client_id),
        }


def map_columns(header: Sequence[str], options: BulkOptions) -> ColumnMap:
    """Resolve the columns of ``header`` for each role (explicit names first, then detection)."""
    keys = [header_key(h) for h in header]
    shown = ", ".join(repr(h) for h in header)

    def explicit(name: str, role: str) -> int:
        for i, h in enumerate(header):
            if h.strip().lstrip("\ufeff") == name.strip():
                return i
        wanted = header_key(name)
        for i, k in enumerate(keys):
            if k == wanted:
                return i
        raise BulkError(f"no column {name!r} in the header (columns: {shown})", where=f"{role} column")

    def detect(candidates: Sequence[str], taken: set[int]) -> int | None:
        for candidate in candidates:
            for i, k in enumerate(keys):
                if k == candidate and i not in taken:
                    return i
        return None

    taken: set[int] = set()
    if options.name_columns:
        name = tuple(explicit(c, "name") for c in options.name_columns)
    else:
        found = detect(NAME_HEADERS, taken)
        if found is not None:
            name = (found,)
        else:
            parts = [detect(c, taken) for c in (FIRST_NAME_HEADERS, MIDDLE_NAME_HEADERS, LAST_NAME_HEADERS)]
            if parts[0] is None or parts[2] is None:
                raise BulkError(
                    f"no name column found (columns: {shown}); name it with --name-column / name_column",
                    where="name column",
                )
            name = tuple(p for p in parts if p is not None)
    taken.update(name)

    def role(given: str | None, candidates: Sequence[str], label: str) -> int | None:
        index = explicit(given, label) if given else detect(candidates, taken)
        if index is not None:
            taken.add(index)
        return index

    type_ = role(options.type_column, TYPE_HEADERS, "type")
    birth = role(options.birth_date_column, BIRTH_DATE_HEADERS, "birth date")
    country = role(options.country_column, COUNTRY_HEADERS, "country")
    nationality = role(options.nationality_column, NATIONALITY_HEADERS, "nationality")
    if options.id_columns:
        identifiers = tuple(explicit(c, "identifier") for c in options.id_columns)
    else:
        identifiers = tuple(i for i, k in enumerate(keys) if k in ID_HEADERS and i not in taken)
    taken.update(identifiers)
    client = role(options.client_id_column, CLIENT_ID_HEADERS, "client id")
    return ColumnMap(tuple(header), name, type_, birth, country, nationality, identifiers, client)


# --- Rows ---------------------------------------------------------------------------------------

Key = tuple[str, str, str, str, str, tuple[str, ...]]


def _fold_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(slots=True)
class _Row:
    number: int
    cells: list[str]
    key: Key | None = None
    query: Query | None = None
    outcome: Outcome | None = None


def prepare_row(number: int, cells: list[str], columns: ColumnMap) -> _Row:
    """Turn one record into a query and its dedup key, or into an error outcome."""
    width = len(columns.header)
    row = _Row(number, cells)
    if len(cells) > width:
        row.cells = cells[:width]
        row.outcome = Outcome.failed(
            f"the row has {len(cells)} fields, the header {width}; extra fields: "
            + ", ".join(repr(c) for c in cells[width:][:3])
        )
        return row
    if len(cells) < width:
        row.cells = cells + [""] * (width - len(cells))
    cells = row.cells
    if any("\ufffd" in c for c in cells):
        row.outcome = Outcome.failed("the row holds characters that could not be decoded")
        return row

    def cell(i: int | None) -> str:
        return " ".join(cells[i].split()) if i is not None else ""

    name = " ".join(p for p in (cell(i) for i in columns.name) if p)
    if not name:
        row.outcome = Outcome.failed("empty name")
        return row
    kind: EntityType | None = None
    raw_type = cell(columns.type)
    if raw_type:
        kind = TYPE_VALUES.get(header_key(raw_type))
        if kind is None:
            allowed = ", ".join(t.value for t in EntityType)
            row.outcome = Outcome.failed(f"unknown type {raw_type!r} (use {allowed})")
            return row
    birth: PartialDate | None = None
    raw_birth = cell(columns.birth_date)
    try:
        if raw_birth:
            birth = date_of(raw_birth)
        query = Query(
            name,
            type=kind,
            birth_date=birth,
            country=cell(columns.country) or None,
            nationality=cell(columns.nationality) or None,
            identifiers=tuple(v for v in (cell(i) for i in columns.identifiers) if v),
            id=cell(columns.client_id) or None,
        )
    except QueryError as exc:
        row.outcome = Outcome.failed(exc.message)
        return row
    row.query = query
    row.key = (
        _fold_key(name),
        kind.value if kind else "",
        str(birth) if birth else "",
        _fold_key(query.country or ""),
        _fold_key(query.nationality or ""),
        tuple(sorted(query.identifiers)),
    )
    return row


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[Key, Outcome] = OrderedDict()

    def get(self, key: Key) -> Outcome | None:
        found = self.data.get(key)
        if found is not None:
            self.data.move_to_end(key)
        return found

    def put(self, key: Key, value: Outcome) -> None:
        if self.size <= 0:
            return
        self.data[key] = value
        self.data.move_to_end(key)
        if len(self.data) > self.size:
            self.data.popitem(last=False)


@dataclass(slots=True)
class _Batch:
    """Rows on their way through the scorer. ``outcomes`` holds, by key, the results this batch
    scored plus those it found in the cache at submission (pinned, so LRU eviction while the batch
    is in flight cannot lose them); ``waits_for`` names earlier in-flight batches scoring a key."""

    rows: list[_Row]
    keys: list[Key]
    result: Callable[[], list[Outcome]]
    waits_for: dict[Key, _Batch]
    outcomes: dict[Key, Outcome]


def _no_results() -> list[Outcome]:
    return []


# --- The job ------------------------------------------------------------------------------------


class BulkScreening:
    """One screening job over a byte stream. Construction reads the header (raising
    :class:`BulkError` for a file that cannot be screened); iterating yields the output as bytes,
    batch by batch; :attr:`summary` is complete when iteration ends.

    An HTTP handler returns ``Response(iter(job), mimetype=job.media_type)``; the CLI writes the
    chunks to a file. The caller owns ``scorer`` (and closes a :class:`PoolScorer`).
    """

    def __init__(
        self,
        stream: IO[bytes],
        scorer: Scorer,
        options: BulkOptions | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.options = options or BulkOptions()
        self.scorer = scorer
        self.progress = progress
        self.summary = BulkSummary()
        self._started = time.perf_counter()
        self._reader = _Reader(stream, self.options.max_bytes)
        self.delimiter = self.options.delimiter or sniff_delimiter(self._reader.sample())
        self._records = csv.reader(self._reader.lines(), delimiter=self.delimiter, strict=False)
        header = self._next_record()
        if header is None:
            raise BulkError("the file is empty: a header row is required", where="file")
        self.header = [h.lstrip("\ufeff") for h in header]
        self.columns = map_columns(self.header, self.options)
        self.output_header = self._output_columns(self.header)
        self.summary.encoding = self._reader.encoding
        self.summary.delimiter = self.delimiter
        self.summary.columns = self.columns.describe()
        self._json_keys = _unique(self.header)
        self._cache = _LRU(self.options.cache_size)

    @property
    def media_type(self) -> str:
        return "text/csv; charset=utf-8" if self.options.output == "csv" else "application/x-ndjson"

    @staticmethod
    def _output_columns(header: list[str]) -> list[str]:
        taken = {header_key(h) for h in header}
        out: list[str] = []
        for name in OUTPUT_COLUMNS:
            while header_key(name) in taken:
                name = f"screen_{name}"
            out.append(name)
        return out

    def _next_record(self) -> list[str] | None:
        try:
            for record in self._records:
                if record:
                    return record
                self.summary.blank_lines += 1
        except csv.Error as exc:
            raise _RecordError(f"unreadable CSV: {exc}", where=f"line {self._records.line_num}") from None
        return None

    def _rows(self) -> Iterator[_Row]:
        number = 0
        limit = self.options.max_rows
        while True:
            try:
                record = self._next_record()
            except _RecordError as exc:
                # A record the csv module rejects (a field over its size limit, a NUL byte) is one
                # bad row, not the end of the job.
                record, failure = [], exc.message
            else:
                if record is None:
                    return
                failure = ""
            number += 1
            if limit is not None and number > limit:
                raise BulkLimitError(f"the file has more than {limit:,} rows (the limit)", where="file")
            if failure:
                yield _Row(number, [""] * len(self.header), outcome=Outcome.failed(failure))
            else:
                yield prepare_row(number, record, self.columns)

    def _batches(self) -> Iterator[list[_Row]]:
        batch: list[_Row] = []
        for row in self._rows():
            batch.append(row)
            if len(batch) >= self.options.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _screened(self) -> Iterator[list[_Row]]:
        """Batches with every row's outcome filled in, in input order (see the module docstring)."""
        in_flight: deque[_Batch] = deque()
        pending: dict[Key, _Batch] = {}
        for rows in self._batches():
            keys: list[Key] = []
            scoring: set[Key] = set()
            queries: list[Query] = []
            outcomes: dict[Key, Outcome] = {}
            waits: dict[Key, _Batch] = {}
            for row in rows:
                key = row.key
                if key is None:
                    continue
                if key in outcomes or key in waits or key in scoring:
                    self.summary.cache_hits += 1
                    continue
                cached = self._cache.get(key)
                if cached is not None:
                    outcomes[key] = cached
                    self.summary.cache_hits += 1
                elif key in pending:
                    waits[key] = pending[key]
                    self.summary.cache_hits += 1
                else:
                    assert row.query is not None
                    keys.append(key)
                    scoring.add(key)
                    queries.append(row.query)
            self.summary.scored += len(queries)
            result = self.scorer.submit(queries) if queries else _no_results
            batch = _Batch(rows, keys, result, waits, outcomes)
            for key in keys:
                pending[key] = batch
            in_flight.append(batch)
            while len(in_flight) > self.scorer.window:
                yield self._finish(in_flight.popleft(), pending)
        while in_flight:
            yield self._finish(in_flight.popleft(), pending)

    def _finish(self, batch: _Batch, pending: dict[Key, _Batch]) -> list[_Row]:
        for key, outcome in zip(batch.keys, batch.result(), strict=True):
            batch.outcomes[key] = outcome
            self._cache.put(key, outcome)
            if pending.get(key) is batch:
                del pending[key]
        # Batches finish in submission order, so every batch waited for is finished already.
        for key, earlier in batch.waits_for.items():
            batch.outcomes[key] = earlier.outcomes[key]
        batch.waits_for = {}
        rows, batch.rows = batch.rows, []
        for row in rows:
            if row.outcome is None:
                assert row.key is not None
                row.outcome = batch.outcomes[row.key]
        return rows

    def __iter__(self) -> Iterator[bytes]:
        summary = self.summary
        try:
            if self.options.output == "csv":
                buffer = io.StringIO()
                writer = csv.writer(buffer, delimiter=self.delimiter)
                writer.writerow([neutralize(c) for c in [*self.header, *self.output_header]])
                yield self._reader.bom + buffer.getvalue().encode("utf-8")
            for rows in self._screened():
                buffer = io.StringIO()
                if self.options.output == "csv":
                    writer = csv.writer(buffer, delimiter=self.delimiter)
                    for row in rows:
                        assert row.outcome is not None
                        writer.writerow([neutralize(c) for c in [*row.cells, *row.outcome.cells()]])
                else:
                    for row in rows:
                        buffer.write(json.dumps(self._json_row(row), ensure_ascii=False))
                        buffer.write("\n")
                for row in rows:
                    assert row.outcome is not None
                    summary.rows += 1
                    if row.outcome.decision == "match":
                        summary.alerts += 1
                    elif row.outcome.decision == "error":
                        summary.errors += 1
                self._update_summary()
                yield buffer.getvalue().encode("utf-8")
                if self.progress is not None:
                    self.progress(summary.rows, summary.bytes_read)
        finally:
            self._update_summary()

    def _update_summary(self) -> None:
        self.summary.bytes_read = self._reader.bytes_read
        self.summary.decoded_as_latin = self._reader.latin_lines
        self.summary.encoding = self._reader.label
        self.summary.seconds = time.perf_counter() - self._started

    def _json_row(self, row: _Row) -> dict[str, Any]:
        outcome = row.outcome
        assert outcome is not None
        return {
            "row": row.number,
            "input": dict(zip(self._json_keys, row.cells, strict=True)),
            "match_id": outcome.match_id or None,
            "match_name": outcome.match_name or None,
            "match_list": outcome.match_list or None,
            "match_score": outcome.score,
            "decision": outcome.decision,
            "match_count": outcome.count,
            "explanation": outcome.explanation,
            "error": outcome.error or None,
        }


def _unique(header: Sequence[str]) -> list[str]:
    """Header names made unique for JSON keys (``name``, ``name_2``, ...)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for h in header:
        n = seen.get(h, 0) + 1
        seen[h] = n
        out.append(h if n == 1 else f"{h}_{n}")
    return out


def screen_csv(
    engine: Matcher,
    stream: IO[bytes],
    options: BulkOptions | None = None,
    progress: Progress | None = None,
) -> BulkScreening:
    """Screen a CSV byte stream in this process; see :class:`BulkScreening`."""
    options = options or BulkOptions()
    return BulkScreening(stream, SerialScorer(engine, options.threshold, options.lists), options, progress)


__all__ = [
    "BulkError",
    "BulkLimitError",
    "BulkOptions",
    "BulkScreening",
    "BulkSummary",
    "ColumnMap",
    "Outcome",
    "PoolScorer",
    "Scorer",
    "SerialScorer",
    "map_columns",
    "neutralize",
    "prepare_row",
    "score_queries",
    "screen_csv",
    "sniff_delimiter",
]
