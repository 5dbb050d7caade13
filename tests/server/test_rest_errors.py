"""Strange bodies and queries to every JSON endpoint: a structured 4xx naming the field, never a
500, never a traceback in the server's log; bodies past the cap are refused before being read."""

from __future__ import annotations

import http.client
import json
import socket
import time

from served import serve

TIMEOUT = 10.0
ERROR_KEYS = {"type", "request", "field", "value", "allowed", "message"}
NESTED = b"[" * 50_000 + b"]" * 50_000


def request(server, method: str, path: str, body: bytes | None = None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def assert_structured(status: int, raw: bytes, field: str | None = None) -> dict:
    assert 400 <= status < 500, (status, raw[:300])
    body = json.loads(raw)
    assert set(body) == ERROR_KEYS and body["type"] == "error", body
    assert body["allowed"] and body["message"]
    if field is not None:
        assert body["field"] == field, body
    return body


BAD_GETS = [
    ("/lessons/api/backprop/train?iterations=%C2%B2", "iterations"),  # a superscript two
    ("/lessons/api/backprop/train?iterations=" + "9" * 400, "iterations"),
    ("/lessons/api/backprop/train?iterations=-1", "iterations"),
    ("/lessons/api/backprop/train?iterations=%EF%BC%93", "iterations"),  # a full-width three
    ("/lessons/api/backprop/train?convention=%00", "convention"),
    ("/lessons/api/backprop?convention=" + "x" * 5000, "convention"),
    ("/lessons/api/nothing-here", "path"),
    ("/classroom/api/rooms/ABCDEF", "x-room-token"),
]

BAD_POSTS = [
    ("/lessons/api/linear-regression", b'{"m0": ' + b"7" * 400 + b"}", "m0"),
    ("/lessons/api/linear-regression", b'{"points": [[1, ' + b"3" * 400 + b"], [2, 3]]}", "points"),
    ("/lessons/api/linear-regression", b'{"alpha": NaN}', "body"),
    ("/lessons/api/linear-regression", b'{"seed": 1e999}', "seed"),
    ("/lessons/api/linear-regression", b'{"steps": ' + b"1" * 5000 + b"}", "body"),
    ("/lessons/api/linear-regression", NESTED, "body"),
    ("/lessons/api/linear-regression", b'{"points": ' + b"[" * 900 + b"]" * 900 + b"}", "points"),
    ("/lessons/api/linear-regression", b'{"m0": "\xff\xfe"}', "body"),
    ("/lessons/api/linear-regression", b"\xef\xbb\xbf{}", None),
    ("/lessons/api/linear-regression", b"[1, 2]", "body"),
    ("/classroom/api/join", NESTED, "body"),
    ("/classroom/api/join", b'{"code": "\xc3\x28"}', "body"),
    ("/classroom/api/join", b'{"code": ' + b"9" * 400 + b', "name": "a"}', "code"),
    ("/classroom/api/join", b'{"code": ["A"], "name": {"x": [[[[[1]]]]]}}', "code"),
    ("/classroom/api/join", b"null", "body"),
    ("/classroom/api/rooms", b"[" * 10, None),
]


def test_bad_queries_and_bodies_get_structured_errors_and_no_traceback(tmp_path):
    # Limits high enough that the failed join guesses below are answered for what they are.
    with serve(tmp_path, engine_workers=0, join_attempts_per_minute=1000) as server:
        for path, field in BAD_GETS:
            status, raw = request(server, "GET", path)
            assert_structured(status, raw, field)
        for path, body, field in BAD_POSTS:
            status, raw = request(server, "POST", path, body)
            if status < 300:  # a BOM-prefixed empty object, or a room: allowed, and JSON
                assert isinstance(json.loads(raw), dict)
                continue
            assert_structured(status, raw, field)
        status, raw = request(server, "DELETE", "/lessons/api/linear-regression")
        assert_structured(status, raw, "method")
        assert server.tracebacks() == []


def test_a_body_past_the_cap_is_refused_before_it_is_read(tmp_path):
    with serve(tmp_path, engine_workers=0, max_body_bytes=4096) as server:
        # Announced: refused on the head alone, the 10 MB never sent.
        head = {"content-length": str(10 * 2**20), "content-type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        conn.putrequest("POST", "/classroom/api/join")
        for key, value in head.items():
            conn.putheader(key, value)
        conn.endheaders()
        response = conn.getresponse()
        body = assert_structured(response.status, response.read(), "body")
        assert response.status == 413 and "4096" in body["allowed"]
        conn.close()

        # Chunked, with no length: the server stops reading at the cap and answers.
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
            sock.sendall(
                b"POST /lessons/api/linear-regression HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            chunk = b"1000\r\n" + b" " * 4096 + b"\r\n"
            sent, deadline = 0, time.monotonic() + TIMEOUT
            answer = b""
            sock.settimeout(0.05)
            while b"\r\n\r\n" not in answer and time.monotonic() < deadline and sent < 256:
                try:
                    sock.sendall(chunk)
                    sent += 1
                    answer += sock.recv(65536)
                except TimeoutError:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    break
            sock.settimeout(TIMEOUT)
            while b"\r\n\r\n" not in answer:
                more = sock.recv(65536)
                if not more:
                    break
                answer += more
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < 256, "the server read a megabyte it should have refused"
        assert server.tracebacks() == []


def test_a_bad_content_length_is_refused(tmp_path):
    with serve(tmp_path, engine_workers=0) as server:
        for length in (b"12abc", b"-5", "\u0663".encode(), b"1" * 300):
            with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
                sock.sendall(
                    b"POST /classroom/api/join HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + length
                    + b"\r\n\r\n{}"
                )
                answer = sock.recv(65536)
            assert answer.startswith(b"HTTP/1.1 4"), (length, answer[:200])
        assert server.tracebacks() == []
