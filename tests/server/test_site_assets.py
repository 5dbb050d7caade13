"""Static files under a versioned URL, compressed text, the favicon and the HTML 404 page."""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request

import pytest

from server.web.assets import IMMUTABLE, REVALIDATE


class Answer:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status_code, self.headers, self.content = status, headers, body

    @property
    def text(self) -> str:
        body = self.content
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode()

    def json(self):
        return json.loads(self.text)


class Client:
    """Plain HTTP to the test server, bodies as sent (compressed or not)."""

    def __init__(self, base: str) -> None:
        self.base = base

    def request(self, method: str, path: str, headers=None, body: bytes | None = None) -> Answer:
        req = urllib.request.Request(self.base + path, data=body, method=method)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return Answer(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.headers, e.read())

    def get(self, path: str, headers=None) -> Answer:
        return self.request("GET", path, headers)

    def post(self, path: str, data: dict) -> Answer:
        body = json.dumps(data).encode()
        return self.request("POST", path, {"content-type": "application/json"}, body)


@pytest.fixture
def client(server):
    return Client(server.url)


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_pages_link_versioned_files_that_may_be_kept_for_good(client):
    urls = asset_urls(client.get("/").text)
    assert any(u.endswith("/js/main.js") for u in urls) and all("/static/v/" in u for u in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE
    # A module imports its neighbours by relative paths: they share the page's version.
    main = next(u for u in urls if u.endswith("/js/main.js"))
    store = main.replace("/js/main.js", "/js/store.js")
    assert client.get(store).headers["cache-control"] == IMMUTABLE


def test_plain_and_old_urls_revalidate_by_etag(client):
    for url in ("/static/js/store.js", "/static/v/0123456789ab/js/store.js"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == REVALIDATE
        again = client.get(url, headers={"if-none-match": response.headers["etag"]})
        assert again.status_code == 304


def test_text_is_compressed_and_small_responses_are_not(client):
    js = client.get("/static/js/views/network.js", headers={"accept-encoding": "gzip"})
    assert js.headers["content-encoding"] == "gzip"
    assert len(js.content) < len(js.text) / 2
    page = client.get("/", headers={"accept-encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    plain = client.get("/healthz", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in plain.headers


def test_favicon(client):
    for url in ("/favicon.ico", "/static/favicon.svg"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.text.startswith("<svg")
    assert "favicon.svg" in client.get("/classroom").text


def test_unknown_pages_get_a_page_and_apis_json(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text and 'href="/"' in page.text
    assert "<script>" not in page.text  # no inline script: the page's CSP allows none
    for url in ("/lessons/api/nothing", "/classroom/api/nothing"):
        api = client.get(url)
        assert api.status_code == 404
        body = api.json()  # the structured refusal every API answers with
        assert body["type"] == "error" and body["field"] == "path" and body["value"] == url


def test_linear_regression_may_leave_its_grid_to_the_page(client):
    full = client.post("/lessons/api/linear-regression", data={"seed": 3})
    light = client.post("/lessons/api/linear-regression", data={"seed": 3, "grid": False})
    assert "J" in full.json()["grid"] and "J" not in light.json()["grid"]
    assert light.json()["grid"]["m"] == full.json()["grid"]["m"]
    assert len(light.content) < len(full.content) / 2
