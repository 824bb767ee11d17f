"""One parser per official list format, behind one registry.

``FORMATS`` maps a format name (the ``format:`` key of a catalog file in ``lists/``) to the module
that parses it. Modules are imported on first use so that, say, screening never loads the xlsx
reader. Adding a format means adding a module with a ``parse`` function (see
:mod:`matcher.sources.base`) and one line here; nothing else changes.

Formats and the sources that use them:

============  =====================================================================
ofac_csv      OFAC legacy CSV set (sdn/alt/add/sdn_comments, or cons_prim/alt/add/comments)
ofac_xml      OFAC sdnList XML (SDN.XML, CONSOLIDATED.XML)
un_xml        UN Security Council consolidated XML
eu_xml        EU Financial Sanctions Files XML 1.1
uk_fcdo       FCDO UK Sanctions List CSV
uk_ofsi       OFSI ConList (2022 format), xlsx or csv
ca_sema       Canada SEMA consolidated autonomous list XML
au_dfat       Australia DFAT consolidated list xlsx
user_csv      matcher's documented CSV for a user's own list
ftm_jsonl     FollowTheMoney entities as JSON lines (OpenSanctions' export format)
============  =====================================================================
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import cast

from matcher.errors import FormatError
from matcher.model import Entity
from matcher.sources.base import Parser, ParseReport, Reject

FORMATS: dict[str, str] = {
    "ofac_csv": "matcher.sources.ofac_csv",
    "ofac_xml": "matcher.sources.ofac_xml",
    "un_xml": "matcher.sources.un_xml",
    "eu_xml": "matcher.sources.eu_xml",
    "uk_fcdo": "matcher.sources.uk_fcdo",
    "uk_ofsi": "matcher.sources.uk_ofsi",
    "ca_sema": "matcher.sources.ca_sema",
    "au_dfat": "matcher.sources.au_dfat",
    "user_csv": "matcher.sources.user_csv",
    "ftm_jsonl": "matcher.sources.ftm_jsonl",
}


def get_parser(fmt: str) -> Parser:
    """The ``parse`` function of format ``fmt``."""
    try:
        module = importlib.import_module(FORMATS[fmt])
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise FormatError(f"unknown list format {fmt!r} (known: {known})") from None
    return cast(Parser, module.parse)


def parse(
    fmt: str, source: str, paths: Sequence[Path], report: ParseReport | None = None
) -> Iterator[Entity]:
    """Stream the entities of one publication in format ``fmt``, filed under ``source``."""
    report = report if report is not None else ParseReport(source)
    return get_parser(fmt)(source, [Path(p) for p in paths], report)


__all__ = ["FORMATS", "ParseReport", "Parser", "Reject", "get_parser", "parse"]
