"""matcher: self-hosted sanctions screening against official lists.

The package is laid out by concern (see README "Architecture"): ``model`` (one entity model),
``sources`` (one parser per official format), ``store`` (versioned list snapshots), ``refresh``
(fetch, parse, check, commit), and the thin ``cli`` adapter.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
