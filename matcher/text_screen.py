"""Free-text screening: find the persons, organisations and vessels a text mentions and link each to
the lists through the engine.

Pipeline (:func:`screen_text`):

1. **HTML** (``html=True``): markup is turned into plain text with the standard library's
   ``html.parser`` (no network, no external assets, no DTDs or entities beyond HTML's own character
   references); ``script``, ``style`` and ``head`` are dropped and block elements become line
   breaks. Every offset in the result refers to this plain text, which the result carries.
2. **Mentions**, rule-based, offline and fast (no model download; a 10 KB article takes a few
   milliseconds). Words are tokenised with their character offsets. A *run* is a sequence of
   capitalised words (any cased script: Latin, Cyrillic, Greek...), optionally joined by
   lowercase name particles (``Bank of Taizhou``, ``Osama bin Laden``) or by ``and`` when neither
   side is a complete organisation or a place (``Industrial and Commercial Bank of China``), with
   ``Co.``-style abbreviations and initials allowed to carry a period. Runs break at any other
   punctuation and at line ends. Each run is trimmed of sentence openers and boilerplate
   (stopwords), and of leading job titles and places unless what remains is an organisation
   (``US Secretary of State Antony Blinken`` -> ``Antony Blinken``, but ``China Citic Bank``
   stays whole). Then:

   - a run that is, as a whole, a place (a country, subdivision or demonym in
     ``rigour.territories``, or a city or region in ``data/places.yml``) is not a mention:
     "Taizhou" alone is the city, "Bank of Taizhou" the bank;
   - a single word that is a stopword, or that opens a sentence (or is written in capitals) while
     the same word also occurs in lowercase in the text, is a common word, not a name;
   - an acronym in parentheses after the lowercase words it abbreviates ("military-industrial
     complex (MIC)") is a common noun, not a party.

3. **Type guess**: vessel after ``M/V``-style prefixes or words such as "tanker", or with an
   ``IMO 1234567`` number just after it; organisation when a word is an organisation word (Bank,
   Ministry, Times...) or a legal form (rigour's org-type database: LLC, ООО, GmbH...), and for
   acronyms; person after a job title or honorific ("spokesman Dmitry Peskov") or with a Russian
   patronymic; otherwise unknown, and the engine then searches persons and organisations alike.
   ``ООО «Ромашка»``-style names (a legal form, then the name in quotes) are one organisation.
4. **Coreference**: mentions with the same folded text are one party; a later (or, in a headline,
   earlier) single word equal to the last word of a person mention is that person ("Peskov" after
   "Dmitry Peskov"); an acronym equal to the initials of an organisation mention, or written in
   parentheses right after it, is that organisation ("FT" and "Financial Times").
5. **Linking**: each party is screened once with ``engine.match`` using its longest mention, its
   type guess and its IMO numbers. Every mention reports its party's matches with scores and
   explanations.

**Why single words get a stricter threshold** (``single_token_threshold``, default 0.95): in a
customer file the name field holds a name; in prose every capitalised word is a candidate, and a
single word carries far less evidence than a full name. The engine rightly lets one word match a
listed one-word alias, an acronym reading (``FT`` ~ "Farayand Technique"), a phonetic neighbour
(``Moscow`` ~ "Mosco") or one word of a longer listed name; at 0.80 that flags common words and
surnames shared by many people. A single word is therefore flagged only when it is (almost)
exactly a listed name, and a surname is best linked through its full mention by coreference.

What this does not do: caseless scripts (Chinese, Japanese, Arabic, Hebrew...) have no
capitalisation to find names by, so text in them yields only mentions found by the vessel and
legal-form rules; that needs a statistical tagger, which would mean a model download.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import yaml
from rigour.names.org_types import extract_org_types
from rigour.territories import lookup_territory

from matcher.engine import Engine, Match, MatchResult, Query
from matcher.errors import QueryError
from matcher.model import ALGORITHM_VERSION, EntityType
from matcher.normalize import fold, normalize_name

#: Default for single-word parties (see the module docstring).
SINGLE_TOKEN_THRESHOLD = 0.95
#: Candidates below this score are not reported at all (they are noise to a reader).
REPORT_FLOOR = 0.5
MAX_CHARS = 1_000_000

# --- Vocabulary ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The extractor's word lists (``data/text_screen.yml``, ``data/places.yml``), lowercase."""

    stopwords: frozenset[str]
    titles: frozenset[str]
    org_words: frozenset[str]
    vessel_words: frozenset[str]
    vessel_prefixes: tuple[str, ...]
    abbreviations: frozenset[str]
    connectors: frozenset[str]
    places: frozenset[str]
    max_title_words: int


def _load_yaml(name: str) -> Any:
    text = resources.files("matcher").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def lexicon() -> Lexicon:
    """The vocabulary, read once per process (lazily: importing this module reads nothing)."""
    words = _load_yaml("text_screen.yml")
    places = _load_yaml("places.yml")
    titles = frozenset(str(t) for t in words["titles"])
    return Lexicon(
        stopwords=frozenset(str(w) for w in words["stopwords"]),
        titles=titles,
        org_words=frozenset(str(w) for w in words["org_words"]),
        vessel_words=frozenset(str(w) for w in words["vessel_words"]),
        vessel_prefixes=tuple(str(w) for w in words["vessel_prefixes"]),
        abbreviations=frozenset(str(w) for w in words["abbreviations"]),
        connectors=frozenset(str(w) for w in words["connectors"]),
        places=frozenset(str(p) for part in places.values() for p in part),
        max_title_words=max(len(t.split()) for t in titles),
    )


_CYRILLIC_WORD = re.compile(r"^[\u0400-\u04ff]{4,}$")


def _cyrillic_forms(word: str) -> list[str]:
    """Nominative candidates of an inflected Russian place name ("в Москве" -> Москва, "России" ->
    Россия, "Кремля" -> Кремль): enough for the place check, not a morphology."""
    stem = word[:-1]
    forms = [stem + "а", stem + "я", stem + "й", stem + "ь", stem]
    if word.endswith(("ии", "ие")):
        forms.append(word[:-2] + "ия")
    if word.endswith(("ой", "ей", "ою", "ею", "ую", "ом", "ем")):
        forms += [word[:-2] + "а", word[:-2] + "я", word[:-2]]
    return forms


@lru_cache(maxsize=20_000)
def is_place(text: str) -> bool:
    """A country, subdivision, demonym, city or region, as a whole (not a name that contains one)."""
    key = " ".join(text.casefold().replace("’", "'").split())
    places = lexicon().places
    if key in places:
        return True
    # Codes only when written as codes: "US", "PRC", but not the words "Sun" (SUN, the USSR's
    # ISO 3166-3 code) or "Can".
    if (len(key) > 3 or text.isupper()) and len(key) >= 2 and lookup_territory(text) is not None:
        return True
    if key.endswith("s") and len(key) > 4 and key[-2] != "s" and lookup_territory(key[:-1]) is not None:
        return True  # plural demonyms: "Americans", "Russians"
    if _CYRILLIC_WORD.match(key):
        return any(f in places or lookup_territory(f) is not None for f in _cyrillic_forms(key))
    return False


@lru_cache(maxsize=20_000)
def _is_legal_form(text: str) -> bool:
    return bool(extract_org_types(text.casefold()))


# --- HTML ---------------------------------------------------------------------------------------

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"})
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot"),
        *("th", "thead", "title", "tr", "ul"),
    }
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(" ".join(data.split(" ")) if data.strip() else " ")


def html_to_text(markup: str) -> str:
    """Visible text of an HTML document or fragment: block elements become line breaks, runs of
    spaces collapse, ``script``/``style``/``head`` are dropped. Nothing is fetched."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = ("".join(parser.parts)).split("\n")
    out = [" ".join(line.split()) for line in lines]
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- Tokens and runs ----------------------------------------------------------------------------

_WORD = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_](?:[\w]|['’\-](?=\w))*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_IMO = re.compile(r"\bIMO(?:\s*(?:No\.?|number|#))?\s*:?\s*(\d{7})\b", re.IGNORECASE)
_PATRONYMIC = re.compile(r"(?:ovich|evich|ovna|evna|ichna|ович|евич|овна|евна|ична)$", re.IGNORECASE)
_OPEN_QUOTES = "\"“„«'‘‹"
_CLOSE_QUOTES = "\"”“»'’›"


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    text: str
    low: str
    sentence_start: bool = False

    @property
    def capitalised(self) -> bool:
        first = next((c for c in self.text if c.isalpha()), "")
        if first.isupper():
            return True
        # "al-Assad", "d'Estaing", "bin-Laden": a lowercase particle glued to a capitalised name.
        parts = re.split(r"['’\-]", self.text)
        return len(parts) > 1 and any(p[:1].isupper() for p in parts[1:])

    @property
    def is_acronym(self) -> bool:
        letters = [c for c in self.text if c.isalpha()]
        return 2 <= len(letters) <= 6 and all(c.isupper() for c in letters) and "-" not in self.text

    @property
    def numeric(self) -> bool:
        return self.text.isdigit()


def _tokens(text: str, skip: Sequence[tuple[int, int]]) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _WORD.finditer(text):
        start, end = m.span()
        if any(a <= start < b for a, b in skip):
            continue
        word = m.group()
        cut = _POSSESSIVE.search(word)
        if cut and len(word) > 2:
            end -= 2
            word = word[:-2]
        before = text[:start].rstrip(" \t" + _OPEN_QUOTES + "([")
        opens = not before or before[-1] in ".!?…:\n" or before.endswith("\n")
        if opens and out and before.endswith(".") and out[-1].low in lexicon().abbreviations:
            opens = False
        out.append(_Tok(start, end, word, word.casefold(), opens))
    return out


@dataclass(slots=True)
class _Span:
    """A candidate mention under construction."""

    toks: list[_Tok]
    cue: str = ""
    type: EntityType | None = None
    identifiers: list[str] = field(default_factory=list)

    def text(self, source: str) -> str:
        return source[self.toks[0].start : self.toks[-1].end]


class _Extractor:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lex = lexicon()
        self.prefix_spans: list[tuple[int, int]] = []
        self.imos: list[tuple[int, int, str]] = [
            (m.start(), m.end(), m.group(1)) for m in _IMO.finditer(text)
        ]
        self._find_vessel_prefixes()
        skip = self.prefix_spans + [(a, b) for a, b, _ in self.imos]
        self.toks = _tokens(text, skip)
        # Words written in lowercase somewhere in the text are common words there.
        self.lowercase = {t.low for t in self.toks if t.text == t.low}

    def _find_vessel_prefixes(self) -> None:
        names = "|".join(re.escape(p) for p in sorted(self.lex.vessel_prefixes, key=len, reverse=True))
        for m in re.finditer(rf"(?<![\w/])(?:{names})\.?\s+(?=[\"“«']?\w)", self.text):
            self.prefix_spans.append(m.span())

    def gap(self, a: _Tok, b: _Tok) -> str:
        return self.text[a.end : b.start]

    def runs(self) -> Iterator[list[_Tok]]:
        toks = self.toks
        i = 0
        while i < len(toks):
            if not toks[i].capitalised:
                i += 1
                continue
            run = [toks[i]]
            j = i + 1
            while j < len(toks):
                prev, tok = run[-1], toks[j]
                gap = self.gap(prev, tok)
                if not self._joinable(prev, gap):
                    # "Acme Trading Co., Ltd.": a legal form after a comma still belongs to the name.
                    if re.fullmatch(r"\.?, ?", gap) and tok.capitalised and _is_legal_form(tok.text):
                        run.append(tok)
                        j += 1
                        continue
                    break
                if tok.capitalised or (tok.numeric and run):
                    run.append(tok)
                    j += 1
                    continue
                # Up to two lowercase connectors followed by a capitalised word.
                k = j
                while k < len(toks) and k - j < 2 and toks[k].low in self.lex.connectors | {"and"}:
                    if k > j and not self._joinable(toks[k - 1], self.gap(toks[k - 1], toks[k])):
                        break
                    k += 1
                if k == j or k >= len(toks) or not toks[k].capitalised:
                    break
                if not self._joinable(toks[k - 1], self.gap(toks[k - 1], toks[k])):
                    break
                if any(t.low == "and" for t in toks[j:k]) and not self._and_joins(run, k):
                    break
                if len(run) == 1 and run[0].sentence_start and toks[j].low in ("of", "the"):
                    # "Officials of Rosneft", "Shares of Gazprom": a sentence-opening common noun,
                    # unless it is the head of an organisation name or a title ("Bank of Taizhou",
                    # "Secretary of State ...").
                    head = run[0].low
                    if head not in self.lex.org_words and self._title_at(run, 0) == 0:
                        break
                run.extend(toks[j : k + 1])
                j = k + 1
            yield run
            i = j

    def _joinable(self, prev: _Tok, gap: str) -> bool:
        if gap and gap.strip(" \t") in ("", "&") and "\n" not in gap:
            return True
        if gap.startswith(".") and gap[1:].strip(" \t") == "" and "\n" not in gap:
            # "Co. Ltd", "John F. Kennedy", "Mr. Smith": the period belongs to the word.
            return prev.low in self.lex.abbreviations or (len(prev.text) == 1 and prev.text.isupper())
        return False

    def _and_joins(self, left: list[_Tok], k: int) -> bool:
        """Whether ``and`` joins ``left`` to the capitalised words from ``toks[k]`` into one name.

        Only inside an organisation name: the words after ``and`` must lead to an organisation word
        or legal form ("Industrial and Commercial Bank of China"), and the left side must not be a
        complete organisation already ("Industrial Bank and Bank of Taizhou" is two banks). Two
        people ("Putin and Xi Jinping") or places ("Russia and China") are never joined."""
        last = left[-1]
        if last.low in self.lex.org_words or _is_legal_form(last.text) or is_place(last.text):
            return False
        words = [t for t in left if t.low not in self.lex.connectors]
        if len(words) > 2 or any(t.low in self.lex.titles for t in words):
            return False  # "Rosneft CEO Igor Sechin and General Motors" is two parties
        toks = self.toks
        ahead = [toks[k]]
        for tok in toks[k + 1 :]:
            if not self._joinable(ahead[-1], self.gap(ahead[-1], tok)):
                break
            if not (tok.capitalised or tok.low in self.lex.connectors):
                break
            ahead.append(tok)
        return self._is_org(ahead)

    def preceding_words(self, tok: _Tok, n: int = 3) -> list[str]:
        """Up to ``n`` lowercase words just before ``tok`` in the same clause."""
        before = self.text[max(0, tok.start - 80) : tok.start]
        before = before.rstrip(" \t" + _OPEN_QUOTES)
        clause = re.split(r"[.,;:!?()\[\]\n\"“”«»]", before)[-1]
        return [w.casefold() for w in clause.split()][-n:]

    def spans(self) -> list[_Span]:
        out: list[_Span] = []
        for run in self.runs():
            for span in self._split_and_trim(run):
                if span is not None:
                    out.append(span)
        out.extend(self._quoted_legal_names(out))
        self._attach_imos(out)
        out.sort(key=lambda s: s.toks[0].start)
        return [s for s in out if self._keep(s)]

    def _title_at(self, toks: list[_Tok], i: int) -> int:
        """Length of the longest title phrase starting at ``toks[i]`` (0 if none)."""
        for n in range(min(self.lex.max_title_words, len(toks) - i), 0, -1):
            phrase = " ".join(t.low for t in toks[i : i + n])
            if phrase in self.lex.titles:
                return n
        return 0

    def _is_org(self, toks: Sequence[_Tok]) -> bool:
        if any(t.low in self.lex.org_words for t in toks):
            return True
        return any(_is_legal_form(t.text) for t in toks if len(t.text) >= 2 and t.text.isupper()) or (
            len(toks) > 1 and _is_legal_form(toks[-1].text)
        )

    def _split_and_trim(self, run: list[_Tok]) -> Iterator[_Span | None]:
        lex = self.lex
        cue = ""
        kind: EntityType | None = None
        toks = list(run)
        changed = True
        while toks and changed:
            changed = False
            while toks and (toks[0].low in lex.stopwords or toks[0].low in lex.connectors):
                if toks[0].low in lex.titles:
                    break
                toks.pop(0)
                changed = True
            if not toks:
                break
            n = self._title_at(toks, 0)
            if n and len(toks) > n and toks[n].low in lex.connectors:
                # "President of the European Commission", "Head of Rosneft": the title is not
                # part of the name that follows, and that name is not a person.
                toks = toks[n:]
                changed = True
                continue
            if n and not self._is_org(toks[n:]):
                cue, kind = "title: " + " ".join(t.text for t in toks[:n]), EntityType.PERSON
                toks = toks[n:]
                changed = True
                continue
            if len(toks) > 1 and is_place(toks[0].text) and not self._is_org(toks[1:]):
                toks.pop(0)
                changed = True
        while toks and (toks[-1].low in lex.stopwords or toks[-1].low in lex.connectors):
            toks.pop()
        if not toks:
            return
        # A title inside the run separates two names: "Bank of America Chairman Brian Moynihan".
        for i in range(1, len(toks) - 1):
            n = self._title_at(toks, i)
            rest = toks[i + n :]
            if n and rest and rest[0].low not in lex.connectors and not self._is_org(rest):
                yield from self._split_and_trim(toks[:i])
                yield from self._split_and_trim(toks[i:])
                return
        span = _Span(toks, cue, kind)
        if kind is None:
            self._preceding_cue(span)
        if self._after_vessel_prefix(toks[0]):
            span.cue, span.type = "vessel prefix", EntityType.VESSEL
        if span.type is None:
            if self._is_org(toks):
                span.cue, span.type = "organisation word", EntityType.ORGANIZATION
            elif len(toks) == 1 and toks[0].is_acronym:
                span.cue, span.type = "acronym", EntityType.ORGANIZATION
            elif any(_PATRONYMIC.search(t.text) for t in toks[1:]):
                span.cue, span.type = "patronymic", EntityType.PERSON
        yield span

    def _preceding_cue(self, span: _Span) -> None:
        """Type a span from the lowercase words just before it: "the tanker Sea Star", "spokesman
        Dmitry Peskov", "пресс-секретарь президента Дмитрий Песков" (a title, then a genitive)."""
        lex = self.lex
        words = self.preceding_words(span.toks[0])
        candidates = [" ".join(words[-2:]), *words[-1:]] if len(words) >= 2 else list(words)
        if len(words) >= 2 and words[-1] not in lex.connectors | lex.stopwords:
            candidates.append(words[-2])
        for phrase in candidates:
            if phrase in lex.vessel_words:
                span.cue, span.type = f"after '{phrase}'", EntityType.VESSEL
                return
            if phrase in lex.titles:
                span.cue, span.type = f"after '{phrase}'", EntityType.PERSON
                return

    def _starts_title(self, tok: _Tok) -> bool:
        """A capitalised word that opens a title written on ("Генеральный директор", "Prime
        minister"): part of a title, not a name."""
        after = re.split(r"[.,;:!?()\[\]\n\"“”«»]", self.text[tok.end : tok.end + 60])[0].split()
        return any(" ".join([tok.low, *(w.casefold() for w in after[:n])]) in self.lex.titles for n in (1, 2))

    def _after_vessel_prefix(self, tok: _Tok) -> bool:
        return any(
            b <= tok.start and self.text[b : tok.start].strip(" \"“«'") == "" for _, b in self.prefix_spans
        )

    def _quoted_legal_names(self, spans: list[_Span]) -> list[_Span]:
        """``ООО «Ромашка»``, ``LLC "Romashka"``: a legal form, then the name in quotes."""
        out: list[_Span] = []
        pattern = re.compile(r"\s*[«\"“„']([^«»\"“”„'\n]{1,120})[»\"”“']")
        for tok in self.toks:
            if not (tok.text.isupper() and len(tok.text) >= 2 and _is_legal_form(tok.text)):
                continue
            m = pattern.match(self.text, tok.end)
            if m is None or not m.group(1).strip():
                continue
            end = m.end()
            quoted = [t for t in self.toks if tok.end < t.start and t.end <= end]
            spans[:] = [s for s in spans if not (tok.start <= s.toks[0].start < end)]
            closing = _Tok(end - 1, end, self.text[end - 1], self.text[end - 1])
            out.append(_Span([tok, *quoted, closing], "legal form", EntityType.ORGANIZATION))
        return out

    def _attach_imos(self, spans: list[_Span]) -> None:
        """An IMO number right after a mention types it as a vessel; alone it is a vessel mention."""
        for start, end, number in self.imos:
            owner = None
            for span in spans:
                if span.toks[-1].end > start:
                    continue
                gap = self.text[span.toks[-1].end : start]
                if len(gap) <= 40 and re.fullmatch(r"[\s,(\[:;\-–—\"”»']*", gap):
                    owner = span
            if owner is not None:
                owner.identifiers.append(f"IMO {number}")
                owner.type, owner.cue = EntityType.VESSEL, f"IMO {number}"
            else:
                tok = _Tok(start, end, self.text[start:end], self.text[start:end].casefold())
                spans.append(_Span([tok], f"IMO {number}", EntityType.VESSEL, [f"IMO {number}"]))

    def _keep(self, span: _Span) -> bool:
        toks = span.toks
        if span.identifiers or span.cue in ("legal form", "vessel prefix"):
            return True
        if all(t.numeric for t in toks):
            return False
        surface = span.text(self.text)
        if (span.type is not EntityType.ORGANIZATION or len(toks) == 1) and is_place(surface):
            return False
        if len(toks) > 1:
            return True
        tok = toks[0]
        if tok.low in self.lex.stopwords or tok.low in self.lex.titles or len(tok.low) < 2:
            return False
        if self._starts_title(tok):
            return False
        if (tok.sentence_start or tok.text.isupper()) and tok.low in self.lowercase:
            return False
        if tok.sentence_start and (tok.low.endswith("ly") or (tok.low.endswith("ing") and len(tok.low) >= 8)):
            return False  # "Reportedly", "Speaking": sentence adverbs and participles
        return not (tok.is_acronym and self._defines_lowercase_acronym(tok))

    def _defines_lowercase_acronym(self, tok: _Tok) -> bool:
        """``military-industrial complex (MIC)``: the acronym of lowercase words is a common noun."""
        before = self.text[max(0, tok.start - 120) : tok.start]
        if not before.rstrip().endswith("("):
            return False
        words = re.findall(r"[^\W\d_]+", before.rstrip()[:-1])
        letters = tok.text.replace(".", "")
        tail = words[-len(letters) :] if len(words) >= len(letters) else []
        initials = "".join(w[0] for w in tail)
        return initials.casefold() == letters.casefold() and all(w[0].islower() for w in tail)


# --- Result -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mention:
    """One place in the text where a party is named. ``text == source[start:end]``."""

    start: int
    end: int
    text: str
    normalized: str
    type: EntityType | None
    party: int
    cue: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "normalized": self.normalized,
            "type": self.type.value if self.type else None,
            "party": self.party,
            "cue": self.cue or None,
        }


@dataclass(frozen=True, slots=True)
class Party:
    """Coreferent mentions of one party, linked once. ``name`` is the longest mention."""

    id: int
    name: str
    type: EntityType | None
    mentions: tuple[int, ...]
    identifiers: tuple[str, ...]
    threshold: float
    matches: tuple[Match, ...]

    @property
    def flagged(self) -> bool:
        return any(m.is_match for m in self.matches)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type.value if self.type else None,
            "mentions": list(self.mentions),
            "identifiers": list(self.identifiers),
            "threshold": self.threshold,
            "flagged": self.flagged,
            "matches": [m.to_dict() for m in self.matches],
        }


@dataclass(frozen=True, slots=True)
class TextScreenResult:
    text: str
    mentions: tuple[Mention, ...]
    parties: tuple[Party, ...]
    threshold: float
    single_token_threshold: float
    list_versions: dict[str, str] = field(default_factory=dict)
    algorithm: str = ALGORITHM_VERSION

    @property
    def flagged(self) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.flagged)

    def to_dict(self, include_text: bool = True) -> dict[str, Any]:
        """JSON form. Each mention repeats its party's matches in short form (entity, list, score,
        match, one-line explanation); the full explanations are on the party."""
        mentions = []
        for m in self.mentions:
            entry = m.to_dict()
            party = self.parties[m.party]
            entry["flagged"] = party.flagged
            entry["matches"] = [
                {
                    "entity_id": x.entity_id,
                    "list": x.source,
                    "name": x.name,
                    "score": x.score,
                    "match": x.is_match,
                    "explanation": x.explanation.summary(),
                }
                for x in party.matches
            ]
            mentions.append(entry)
        out: dict[str, Any] = {
            "mentions": mentions,
            "parties": [p.to_dict() for p in self.parties],
            "flagged": [p.id for p in self.flagged],
            "threshold": self.threshold,
            "single_token_threshold": self.single_token_threshold,
            "list_versions": self.list_versions,
            "algorithm": self.algorithm,
        }
        if include_text:
            out["text"] = self.text
        return out


# --- Extraction, coreference, linking -----------------------------------------------------------


def _normalized(text: str, kind: EntityType | None) -> str:
    readings = normalize_name(text, kind) if kind is not None else ()
    return readings[0].text if readings else fold(text)


def _initials(text: str) -> str:
    lex = lexicon()
    words = [w for w in re.split(r"[\s\-]+", text) if w]
    return "".join(w[0] for w in words if w.casefold() not in lex.connectors | {"and", "&"}).casefold()


@dataclass(slots=True)
class _Group:
    spans: list[_Span]
    surfaces: list[str]

    @property
    def canonical(self) -> int:
        return max(range(len(self.spans)), key=lambda i: (len(self.spans[i].toks), -i))

    @property
    def type(self) -> EntityType | None:
        first = self.spans[self.canonical].type
        return first if first is not None else next((s.type for s in self.spans if s.type), None)


def extract_mentions(text: str) -> list[tuple[int, int, str, EntityType | None, str, int, tuple[str, ...]]]:
    """Mentions of ``text`` as ``(start, end, surface, type, cue, group, identifiers)``, in text
    order; mentions with the same ``group`` are one party. No engine needed (used by tests and
    for debugging the rules)."""
    spans = _Extractor(text).spans()
    groups = _group(text, spans)
    out = []
    for g_index, group in enumerate(groups):
        gtype = group.type
        for span, surface in zip(group.spans, group.surfaces, strict=True):
            out.append(
                (
                    span.toks[0].start,
                    span.toks[-1].end,
                    surface,
                    span.type or gtype,
                    span.cue,
                    g_index,
                    tuple(span.identifiers),
                )
            )
    out.sort(key=lambda m: m[0])
    return out


def _group(text: str, spans: list[_Span]) -> list[_Group]:
    groups: list[_Group] = []
    by_key: dict[str, int] = {}
    owner: list[int] = []
    for span in spans:
        surface = span.text(text)
        key = fold(surface)
        if key in by_key:
            g = by_key[key]
            groups[g].spans.append(span)
            groups[g].surfaces.append(surface)
        else:
            g = by_key[key] = len(groups)
            groups.append(_Group([span], [surface]))
        owner.append(g)

    def merge(small: int, big: int) -> None:
        if small == big or not groups[small].spans:
            return
        groups[big].spans.extend(groups[small].spans)
        groups[big].surfaces.extend(groups[small].surfaces)
        groups[small].spans, groups[small].surfaces = [], []

    # Parenthetical acronyms: "Industrial and Commercial Bank of China (ICBC)".
    for a, b in zip(spans, spans[1:], strict=False):
        between = text[a.toks[-1].end : b.toks[0].start]
        if len(b.toks) == 1 and b.toks[0].is_acronym and re.fullmatch(r"\s*\(\s*", between):
            merge(by_key[fold(b.text(text))], by_key[fold(a.text(text))])
    # Single words and acronyms that refer to a longer mention.
    for g, group in enumerate(groups):
        if len(group.spans) == 0 or any(len(s.toks) > 1 for s in group.spans):
            continue
        first = min(s.toks[0].start for s in group.spans)
        word = group.spans[0].toks[0]
        best: tuple[int, int] | None = None  # (distance rank, group)
        for h, other in enumerate(groups):
            if h == g or not other.spans or all(len(s.toks) < 2 for s in other.spans):
                continue
            canonical = other.spans[other.canonical]
            if word.is_acronym:
                if other.type not in (EntityType.ORGANIZATION, None):
                    continue
                if _initials(canonical.text(text)) != word.low.replace(".", ""):
                    continue
            else:
                if other.type not in (EntityType.PERSON, None) or group.type not in (EntityType.PERSON, None):
                    continue
                if fold(canonical.toks[-1].text) != fold(word.text):
                    continue
            other_first = min(s.toks[0].start for s in other.spans)
            # Prefer the nearest earlier mention; a later one only when none came before.
            rank = first - other_first if other_first < first else 10**9 + other_first - first
            if best is None or rank < best[0]:
                best = (rank, h)
        if best is not None:
            merge(g, best[1])
    return [g for g in groups if g.spans]


def screen_text(
    engine: Engine,
    text: str,
    html: bool = False,
    threshold: float | None = None,
    single_token_threshold: float = SINGLE_TOKEN_THRESHOLD,
    lists: Sequence[str] | None = None,
    limit: int = 10,
    max_chars: int = MAX_CHARS,
) -> TextScreenResult:
    """Find the parties ``text`` mentions and screen each against the lists (module docstring)."""
    if html:
        text = html_to_text(text)
    if len(text) > max_chars:
        raise QueryError(f"the text has {len(text):,} characters; the limit is {max_chars:,}", where="text")
    threshold = engine.threshold if threshold is None else threshold
    if not 0.0 <= threshold <= 1.0 or not 0.0 <= single_token_threshold <= 1.0:
        raise QueryError("thresholds must be between 0 and 1", where="threshold")
    spans = _Extractor(text).spans()
    groups = _group(text, spans)
    mentions: list[Mention] = []
    parties: list[Party] = []
    versions: dict[str, str] = dict(engine.list_versions)
    for g_index, group in enumerate(groups):
        canonical = group.spans[group.canonical]
        name = canonical.text(text)
        kind = group.type
        identifiers = tuple(dict.fromkeys(i for s in group.spans for i in s.identifiers))
        single = len(fold(name).split()) < 2 and not identifiers
        party_threshold = max(threshold, single_token_threshold) if single else threshold
        result: MatchResult = engine.match(
            Query(name, type=kind, identifiers=identifiers),
            lists=lists,
            threshold=party_threshold,
            limit=limit,
        )
        versions = result.list_versions or versions
        matches = tuple(m for m in result.matches if m.score >= min(REPORT_FLOOR, party_threshold))
        indexes: list[int] = []
        for span, surface in zip(group.spans, group.surfaces, strict=True):
            indexes.append(len(mentions))
            mentions.append(
                Mention(
                    span.toks[0].start,
                    span.toks[-1].end,
                    surface,
                    _normalized(surface, span.type or kind),
                    span.type or kind,
                    g_index,
                    span.cue,
                )
            )
        parties.append(Party(g_index, name, kind, tuple(indexes), identifiers, party_threshold, matches))
    # Mentions in text order; parties keep their ids, so renumber the parties' mention indexes.
    order = sorted(range(len(mentions)), key=lambda i: mentions[i].start)
    position = {old: new for new, old in enumerate(order)}
    parties = [replace(p, mentions=tuple(sorted(position[i] for i in p.mentions))) for p in parties]
    return TextScreenResult(
        text,
        tuple(mentions[i] for i in order),
        tuple(parties),
        threshold,
        single_token_threshold,
        versions,
    )


__all__ = [
    "MAX_CHARS",
    "REPORT_FLOOR",
    "SINGLE_TOKEN_THRESHOLD",
    "Lexicon",
    "Mention",
    "Party",
    "TextScreenResult",
    "extract_mentions",
    "html_to_text",
    "is_place",
    "lexicon",
    "screen_text",
]
