"""The reference web app as the real nginx gateway serves it: one page at /, its modules and style sheet,
the headers a page needs, compressed, small, and speaking only to the public API of its own origin.

What it does in a browser is tested in a real browser (issue 12); this is what a browser receives.
"""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser

import httpx
import pytest

from devstack.paths import repo_root

WEB = repo_root() / "web"
ASSETS = ["/app.css", *(f"/js/{path.name}" for path in sorted((WEB / "js").glob("*.js")))]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def test_the_page_is_served_at_the_root_with_a_strict_policy(gateway: httpx.Client) -> None:
    page = gateway.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-request-id"]
    assert "access-control-allow-origin" not in page.headers  # CORS is the API's alone
    tags = Tags()
    tags.feed(page.text)
    # Nothing inline: every script has a source, no element carries a style or an event handler.
    assert all(attrs.get("src") for tag, attrs in tags.found if tag == "script")
    assert not [tag for tag, attrs in tags.found if tag == "style" or "style" in attrs]
    assert not [tag for tag, attrs in tags.found if any(name.startswith("on") for name in attrs)]
    assert '<html lang="vi">' in page.text


@pytest.mark.parametrize("path", ASSETS)
def test_each_module_and_the_style_sheet_are_served_compressed(gateway: httpx.Client, path: str) -> None:
    response = gateway.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200, path
    assert response.headers["content-encoding"] == "gzip"
    expected = "text/css" if path.endswith(".css") else "text/javascript"
    assert response.headers["content-type"].startswith(expected)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (WEB / path.lstrip("/")).read_bytes()


def test_the_first_load_is_well_under_200_kb_compressed() -> None:
    # The bytes a first load transfers for the page itself (the API's answers come on top, measured in the
    # browser test): index, style sheet and every module, gzip-compressed as the gateway sends them.
    files = [WEB / "index.html", WEB / "app.css", *sorted((WEB / "js").glob("*.js"))]
    compressed = sum(len(gzip.compress(path.read_bytes(), 6)) for path in files)
    assert compressed < 60_000, compressed


def test_nothing_else_is_served_from_the_web_root(gateway: httpx.Client) -> None:
    for path in ("/index.html", "/js/", "/js/../index.html", "/.git/config", "/web/app.css", "/app.js"):
        response = gateway.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json", path


def test_the_app_speaks_only_to_the_api_of_its_own_origin() -> None:
    code = "\n".join(path.read_text(encoding="utf-8") for path in (WEB / "js").glob("*.js"))
    assert not re.search(r"https?://", code), "no other origin"
    assert re.findall(r"fetch\(`([^`]*)`", code) == ["/api/v1/${path}"]
    # Nothing is kept in the browser but the development token: in this tab only, under one key, in api.js.
    for storage in ("localStorage", "indexedDB", "document.cookie", "caches."):
        assert storage not in code, storage
    kept = re.findall(r"sessionStorage\.(\w+)\(([^,)]*)", code)
    assert sorted(kept) == [("getItem", "TOKEN_KEY"), ("removeItem", "TOKEN_KEY"), ("setItem", "TOKEN_KEY")]
    api = (WEB / "js" / "api.js").read_text(encoding="utf-8")
    assert 'const TOKEN_KEY = "thidua.dev-token";' in api
    assert code.count("sessionStorage") == api.count("sessionStorage") == 3


def test_every_text_has_its_english() -> None:
    source = (WEB / "js" / "i18n.js").read_text(encoding="utf-8")
    vi, en = source.split("  en: {")

    def keys(block: str) -> set[str]:
        return set(re.findall(r'^\s+"?([\w.]+)"?: "', block, re.M))

    assert keys(vi) == keys(en)
    assert len(keys(vi)) > 40
