"""The analyst page at / through the Flask test client: markup, settings, own assets, CSP."""

from __future__ import annotations

import re


def test_page_is_served_with_its_settings_and_a_strict_csp(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'data-auth="off"' in html and 'data-threshold="0.8"' in html
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Every asset is local: no http(s) URL in a src/href, no inline script or style attribute.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<script>" not in html and "style=" not in html
    for label_for in re.findall(r'<label for="([^"]+)"', html):
        assert f'id="{label_for}"' in html, label_for


def test_page_assets_are_served(client):
    html = client.get("/").get_data(as_text=True)
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.data.replace(b'xmlns="http://www.w3.org/2000/svg"', b"")  # a name, not a fetch
        assert b"http://" not in content and b"https://" not in content, path
        response.close()
    assert {"/static/page.js", "/static/page.css"} <= set(re.findall(r'"(/static/[^"]+)"', html))


def test_page_says_when_keys_are_required(make_app):
    html = make_app(auth="keys").test_client().get("/").get_data(as_text=True)
    assert 'data-auth="keys"' in html
    assert 'id="api-key"' in html
