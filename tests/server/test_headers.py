"""Security headers on every response, and the Host allow-list on requests and WebSockets."""

from __future__ import annotations

import http.client
import json
import socket

import pytest
from served import serve

PAGES = ["/", "/lessons/backprop", "/lessons/linear-regression", "/classroom", "/classroom/new"]
PAGES += ["/classroom/join"]
OTHERS = ["/lessons/api/backprop", "/healthz", "/metrics", "/static/js/main.js", "/no/such/page"]
OTHERS += ["/lessons/api/backprop/train?iterations=0", "/classroom/api/rooms/ABCDEF"]


def fetch(port: int, path: str, method: str = "GET", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=b"{}" if method == "POST" else None, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.parametrize("path", PAGES + OTHERS)
def test_every_response_carries_the_security_headers(server, path):
    status, headers, _ = fetch(server.port, path)
    assert status < 500
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    policy = directives(headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    host = f"127.0.0.1:{server.port}"
    assert policy["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]


def test_refusals_carry_them_too_and_the_instructor_page_cannot_be_framed(server):
    status, headers, _ = fetch(server.port, "/classroom/api/join", "POST")
    assert status == 400 and "frame-ancestors 'none'" in headers["content-security-policy"]
    status, headers, _ = fetch(server.port, "/classroom/new")
    assert status == 200 and headers["x-frame-options"] == "DENY"


def test_a_strange_host_is_not_echoed_into_the_policy(server):
    _, headers, _ = fetch(server.port, "/healthz", headers={"Host": "evil; script-src *"})
    assert "script-src *" not in headers["content-security-policy"]
    assert directives(headers["content-security-policy"])["connect-src"] == ["'self'"]


def handshake(port: int, host: str, origin: str, until: bytes = b"\r\n\r\n") -> bytes:
    """A raw WebSocket opening handshake as a browser on `origin` sends it to `host`: what the
    server answers, up to `until` (or its closing the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"GET /ws HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        answer = b""
        while until not in answer:
            more = sock.recv(4096)
            if not more:
                break
            answer += more
        return answer


def test_allowed_hosts_refuse_a_rebinding_page_on_requests_and_websockets(tmp_path):
    with serve(tmp_path, engine_workers=0) as open_server:
        # Without an allow-list, a page on a name that resolves here passes the Origin check
        # (its Origin and Host agree): that is what --allowed-hosts is for.
        rebound = f"rebind.example:{open_server.port}"
        answer = handshake(open_server.port, rebound, f"http://{rebound}")
        assert answer.startswith(b"HTTP/1.1 101")
    with serve(tmp_path, engine_workers=0, allowed_hosts="localhost,127.0.0.1") as server:
        rebound = f"rebind.example:{server.port}"
        status, _, body = fetch(server.port, "/", headers={"Host": rebound})
        error = json.loads(body)
        assert status == 400 and error["field"] == "host" and "127.0.0.1" in error["allowed"]
        assert handshake(server.port, rebound, f"http://{rebound}").startswith(b"HTTP/1.1 403")
        # An allowed Host with a page of another name as Origin: refused after the handshake.
        own = f"127.0.0.1:{server.port}"
        refused = handshake(server.port, own, f"http://{rebound}", b"origin not allowed")
        assert refused.startswith(b"HTTP/1.1 101") and b"origin not allowed" in refused
        assert handshake(server.port, own, f"http://{own}").startswith(b"HTTP/1.1 101")
        status, _, _ = fetch(server.port, "/", headers={"Host": f"localhost:{server.port}"})
        assert status == 200
        assert server.tracebacks() == []
