"""The page and health check are served by a real server process."""

import urllib.request


def test_index_is_html(server):
    with urllib.request.urlopen(server.url + "/", timeout=10) as response:
        body = response.read().decode()
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/html")
    assert "<html" in body


def test_healthz(server):
    with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
        assert response.read() == b"ok"
