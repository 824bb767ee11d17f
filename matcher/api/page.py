"""The analyst page at ``/``: search, explanations, list status, bulk upload and text screening.

One HTML page (``templates/page.html``) with one plain script and one stylesheet
(``static/page.js``, ``static/page.css``, served by the app's own static route). Everything it
shows comes from the public API the page calls from the browser: ``/v1/match``,
``/v1/entities/<id>``, ``/v1/lists``, ``/v1/screen/csv`` and ``/v1/screen/text``; the page has no
back door, so what an analyst sees is what an integration gets.

Why no framework, bundler or CDN: the service must work air-gapped and be auditable, so the page
is a few hundred lines of standard DOM code with no build step and no third-party asset. Its
Content-Security-Policy allows only the app's own origin (no inline script or style), which also
means text from a list or an upload can never run as script: the script only ever sets
``textContent``.

The few settings the page needs before its first call (whether API keys are on, the default
threshold, the upload limit) are rendered into ``data-`` attributes of ``<body>``. With
``MATCHER_AUTH=keys`` the page asks for a key and keeps it in ``sessionStorage`` only (gone when
the tab closes; never a cookie, so no CSRF exposure).
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from matcher.api import services

bp = Blueprint("page", __name__, template_folder="templates")

#: Only this origin: no inline script or style, no framing, no third-party anything.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@bp.get("/")
def index() -> str:
    """The analyst page."""
    settings = services().settings
    return render_template(
        "page.html",
        auth=settings.auth,
        threshold=settings.threshold,
        max_upload_mb=settings.max_upload_mb,
        stale_hours=settings.stale_hours,
    )


@bp.after_request
def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


__all__ = ["CSP", "bp"]
