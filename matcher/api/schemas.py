"""Request and response models of the HTTP API (pydantic v2), and the field paths of their errors.

Requests are validated with these models; ``GET /openapi.json`` is generated from the same models
(:mod:`matcher.api.web`), so the documentation cannot drift from what the service accepts.
Responses are built as plain JSON by the views (cached results are spliced in as bytes, which a
model round trip would undo); ``tests/api`` validates every real response against the response
models below, which keeps the documented response shapes honest too.

Models forbid unknown fields: a typo such as ``"birthdate"`` is a 422 naming the field, not a
silently ignored qualifier that changes a screening decision.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from matcher.engine import MAX_LIMIT
from matcher.model import EntityType, PartialDate

#: A list or source id, checked per item so an error names ``lists[2]``.
Slug = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]


def field_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a path: ``("queries", 3, "birth_date")`` -> ``queries[3].birth_date``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


#: Aliases for models that have a field named ``list`` (which shadows the builtin in the class body).
Strings = list[str]
Records = list[dict[str, Any]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- Requests ---------------------------------------------------------------------------------


class QueryIn(_Model):
    """One party to screen. Only ``name`` is required; every other field sharpens the score."""

    id: str | int | None = Field(
        None, description="Your reference for this query; it is echoed back with its result."
    )
    name: str = Field(..., min_length=1, max_length=500, description="The name as you hold it, any script.")
    type: EntityType | None = Field(None, description="What the party is; unknown by default.")
    birth_date: str | None = Field(
        None,
        description="Birth date, ISO and possibly partial: YYYY, YYYY-MM or YYYY-MM-DD.",
        examples=["1952-10-07", "1952"],
    )
    country: str | None = Field(None, max_length=100, description="Country name or ISO code.")
    nationality: str | None = Field(None, max_length=100, description="Nationality (name or ISO code).")
    identifiers: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Identifiers such as passport, IMO or registration numbers.",
    )

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name must not be blank")
        return value

    @field_validator("birth_date")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(PartialDate.parse(value))
        except ValueError:
            raise ValueError(f"not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}") from None

    @field_validator("identifiers")
    @classmethod
    def _short_identifiers(cls, value: list[str]) -> list[str]:
        for item in value:
            if len(item) > 100:
                raise ValueError("an identifier is longer than 100 characters")
        return value


class MatchOptions(_Model):
    """Options that apply to every query of a request."""

    lists: list[Slug] | None = Field(
        None,
        max_length=100,
        description="Only these list ids (e.g. `un`, `ofac_sdn`). Default: every loaded list.",
    )
    threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Alert threshold: a match has `match: true` when its score is at or above it. "
        "Default: MATCHER_THRESHOLD (0.80).",
    )
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="Most matches returned per query.")


class MatchRequest(QueryIn, MatchOptions):
    """One query with its options at the top level."""


class BatchMatchRequest(MatchOptions):
    """Several queries (up to MATCHER_MAX_BATCH) sharing one set of options."""

    queries: list[QueryIn] = Field(..., min_length=1, description="The queries, each with an optional `id`.")


class RefreshRequest(_Model):
    """Which catalog sources to refresh from their publishers."""

    sources: list[Slug] | None = Field(
        None, description="Source ids (default: every catalog source).", max_length=100
    )
    force: bool = Field(False, description="Re-download and re-import even if unchanged; accept a shrink.")


# --- Responses --------------------------------------------------------------------------------


class TokenOut(BaseModel):
    query: str | None
    listed: str | None
    kind: str = Field(description="How the two tokens relate (exact, phonetic, initial, missing, ...).")
    similarity: float


class QualifierOut(BaseModel):
    field: str
    outcome: str = Field(description="match, partial, conflict or decisive.")
    detail: str
    factor: float


class ExplanationOut(BaseModel):
    matched_name: str
    matched_name_kind: str
    name_score: float
    tokens: list[TokenOut]
    qualifiers: list[QualifierOut]


class MatchOut(BaseModel):
    entity_id: str = Field(description="`<list>:<native id>`, e.g. `un:QDi.001`.")
    list: str
    score: float = Field(ge=0.0, le=1.0)
    match: bool = Field(description="score >= threshold: an alert.")
    name: str = Field(description="The entity's primary name as published.")
    matched_name: str = Field(description="The listed name that matched, as published.")
    type: EntityType
    programs: Strings
    explanation: ExplanationOut


class QueryEcho(BaseModel):
    id: str | int | None
    name: str
    type: EntityType | None
    birth_date: str | None
    country: str | None
    nationality: str | None
    identifiers: list[str]


class QueryResult(BaseModel):
    id: str | int | None = Field(description="The query's `id`, as you sent it.")
    query: QueryEcho
    matches: list[MatchOut]
    alerts: int = Field(description="How many matches are at or above the threshold.")


class MatchResponse(BaseModel):
    results: list[QueryResult] = Field(description="One result per query, in request order.")
    threshold: float
    limit: int
    list_versions: dict[str, str] = Field(description="The version of each list that answered.")
    algorithm: str = Field(description="ALGORITHM_VERSION: with list_versions, reproduces a decision.")


class ListCounts(BaseModel):
    entities: int
    names: int
    by_type: dict[str, int]
    records: int
    rejected: int


class ListStatus(BaseModel):
    source: str
    loaded: bool = Field(description="Whether this worker serves the list.")
    version: str | None = Field(description="The version this worker serves.")
    active_version: str | None = Field(description="The active version in the data directory.")
    format: str | None
    published: str | None = Field(description="Publication date stated in the file, when it has one.")
    fetched_at: str | None
    checked_at: str | None = Field(description="Last successful refresh (also when nothing changed).")
    age_hours: float | None
    stale: bool = Field(description="Not refreshed for more than MATCHER_STALE_HOURS, or never loaded.")
    counts: ListCounts | None


class ListsResponse(BaseModel):
    lists: list[ListStatus]
    stale_hours: float
    algorithm: str


class RefreshOut(BaseModel):
    source: str
    status: Literal["updated", "unchanged", "skipped", "failed"]
    version: str | None
    previous: str | None
    entities: int | None
    detail: str
    warnings: list[str]


class RefreshResponse(BaseModel):
    ok: bool = Field(description="No source failed.")
    results: list[RefreshOut]


class NameOut(BaseModel):
    value: str
    kind: str
    script: str | None = None
    lang: str | None = None


class IdentifierOut(BaseModel):
    kind: str
    value: str
    country: str | None = None
    note: str | None = None


class AddressOut(BaseModel):
    full: str
    country: str | None = None


class RelationOut(BaseModel):
    target: str
    kind: str


class EntityOut(BaseModel):
    """A listed entity exactly as stored: names as published, nothing normalised."""

    id: str
    source: str
    type: EntityType
    names: list[NameOut]
    birth_dates: list[str] = []
    birth_places: list[str] = []
    nationalities: list[str] = []
    countries: list[str] = []
    addresses: list[AddressOut] = []
    identifiers: list[IdentifierOut] = []
    programs: list[str] = []
    listed_on: str | None = None
    gender: str | None = None
    titles: list[str] = []
    remarks: str | None = None
    related: list[RelationOut] = []
    source_file: str | None = None
    extra: dict[str, str] = {}


class Provenance(BaseModel):
    list: str
    version: str
    published: str | None
    fetched_at: str
    format: str
    source_file: str | None = Field(description="The published file the entity was read from.")
    content_hash: str = Field(description="SHA-256 over the published files of this version.")
    origin: Strings = Field(description="Where the files came from (URLs or local paths).")
    files: Records


class EntityResponse(BaseModel):
    entity: EntityOut
    provenance: Provenance


class Health(BaseModel):
    status: Literal["ok"]


class CacheStatus(BaseModel):
    backend: Literal["redis", "memory"]
    degraded: bool
    redis: str | None = Field(None, description="The Redis URL, password redacted.")
    serving_from: str | None = None


class RateLimitStatus(BaseModel):
    enabled: bool
    per_minute: int
    backend: Literal["redis", "memory"]
    degraded: bool


class Ready(BaseModel):
    status: Literal["ready", "degraded", "not_ready"]
    detail: str
    worker: int = Field(description="Process id of the worker that answered.")
    lists: dict[str, str] = Field(description="The list versions this worker serves.")
    loaded_at: str | None
    stale: list[str]
    reload_error: str | None
    cache: CacheStatus
    rate_limit: RateLimitStatus
    auth: Literal["off", "keys"]
    algorithm: str


class FieldError(BaseModel):
    field: str = Field(description="Path of the field, e.g. `queries[3].birth_date`.")
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(description="A URI reference identifying the problem type (documented in /docs).")
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = Field(None, description="Quote it when reporting a problem; it is in the logs.")
    errors: list[FieldError] | None = Field(None, description="Every invalid field (422).")


class TextScreenRequest(_Model):
    """Free text to screen (``POST /v1/screen/text``): persons, organisations and vessels it names."""

    text: str = Field(..., max_length=2_000_000, description="The text (or HTML with `html: true`).")
    html: bool = Field(False, description="Strip HTML markup first; offsets refer to the plain text.")
    threshold: float | None = Field(
        None, ge=0.0, le=1.0, description="Alert threshold. Default: MATCHER_THRESHOLD (0.80)."
    )
    lists: list[Slug] | None = Field(None, max_length=100, description="Only these list ids.")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="Most matches kept per party.")


class MentionMatchOut(BaseModel):
    entity_id: str
    list: str
    name: str
    score: float
    match: bool
    explanation: str = Field(description="One-line summary; the party has the full explanation.")


class MentionOut(BaseModel):
    start: int = Field(description="Offset of the first character in `text`.")
    end: int = Field(description="Offset after the last character: `text[start:end]` is the mention.")
    text: str
    normalized: str
    type: EntityType | None = Field(description="Type guess: person, organization or vessel, or null.")
    party: int = Field(description="Index of the party this mention refers to (coreference).")
    cue: str | None
    flagged: bool
    matches: list[MentionMatchOut]


class PartyOut(BaseModel):
    id: int
    name: str = Field(description="The longest mention of the party: what was screened.")
    type: EntityType | None
    mentions: list[int]
    identifiers: list[str]
    threshold: float = Field(description="The threshold applied (stricter for single words).")
    flagged: bool
    matches: list[MatchOut]


class TextScreenResponse(BaseModel):
    text: str = Field(description="The plain text the offsets refer to (HTML stripped).")
    mentions: list[MentionOut]
    parties: list[PartyOut]
    flagged: list[int] = Field(description="Ids of the parties with a match at or above the threshold.")
    threshold: float
    single_token_threshold: float
    list_versions: dict[str, str]
    algorithm: str


__all__ = [
    "BatchMatchRequest",
    "EntityResponse",
    "ListsResponse",
    "MatchRequest",
    "MatchResponse",
    "Problem",
    "QueryIn",
    "Ready",
    "RefreshRequest",
    "RefreshResponse",
    "TextScreenRequest",
    "TextScreenResponse",
    "field_path",
]
