"""Every error matcher raises on purpose, so adapters can turn each into one clear message.

::

    MatcherError
    ├── SourceError              a list could not be fetched or read; the active version is untouched
    │   ├── DownloadError        network failure, HTTP error, timeout, offline
    │   ├── ParseError           truncated, corrupt or unsafe file (e.g. XML with a DTD)
    │   ├── FormatError          a readable file that is not the expected format
    │   └── ShrinkError          the new version has implausibly fewer entries than the active one
    ├── StoreError               the data directory is missing, unwritable or inconsistent
    ├── CatalogError             an unknown source id or a bad catalog file
    └── QueryError               a screening query that cannot be answered as asked

Each error carries a ``where`` (a file, line, URL or field) so the CLI can say in one line what went
wrong and where, and ``STATUS`` so the HTTP layer can map it without a table of special cases.
"""

from __future__ import annotations


class MatcherError(Exception):
    """Base of all deliberate errors."""

    STATUS = 500

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.status = self.STATUS

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class SourceError(MatcherError):
    STATUS = 502


class DownloadError(SourceError):
    STATUS = 502


class ParseError(SourceError):
    STATUS = 422


class FormatError(SourceError):
    STATUS = 422


class ShrinkError(SourceError):
    STATUS = 409


class StoreError(MatcherError):
    STATUS = 500


class CatalogError(MatcherError):
    STATUS = 404


class QueryError(MatcherError):
    STATUS = 422
