"""Connection-level limits on real loopback sockets: half-open and slowloris connections are
closed, giant heads refused without memory growth, idle sockets never lock others out."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import socket
import time

import websockets
from frames import Client
from served import serve

DEADLINE_S = 15.0


def metric(server, name: str) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    return float(next(line.split()[1] for line in text.splitlines() if line.startswith(name)))


def healthz(server) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status
    finally:
        conn.close()


def read_until_closed(sock: socket.socket, deadline: float) -> bytes:
    """Everything the server sends until it closes the connection (fails past the deadline)."""
    data = b""
    while True:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def connect(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def test_half_open_and_slowloris_connections_are_closed(tmp_path):
    with serve(tmp_path, engine_workers=0, request_timeout_s=1.0) as server:
        silent = [connect(server) for _ in range(20)]
        slow = [connect(server) for _ in range(10)]
        for sock in slow:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        deadline = time.monotonic() + DEADLINE_S
        # The slowloris clients keep adding a header line, as an attacker would, until closed.
        answers = {}
        while len(answers) < len(slow) and time.monotonic() < deadline:
            for i, sock in enumerate(slow):
                if i in answers:
                    continue
                try:
                    sock.sendall(b"X-Slow: 1\r\n")
                    sock.settimeout(0.2)
                    got = sock.recv(4096)
                except TimeoutError:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    got = b"(closed)"
                answers[i] = got
        assert len(answers) == len(slow), "a slowloris connection was never closed"
        assert all(a.startswith(b"HTTP/1.1 408") or a == b"(closed)" for a in answers.values())
        for sock in silent:
            assert read_until_closed(sock, deadline) == b""  # closed without a word
        assert time.monotonic() < deadline
        assert metric(server, "playground_http_timed_out_total") >= 30
        assert healthz(server) == 200
        for sock in silent + slow:
            sock.close()
        assert server.tracebacks() == []


def test_giant_heads_are_refused_early_and_memory_stays_flat(tmp_path):
    with serve(tmp_path, engine_workers=0) as server:
        assert healthz(server) == 200
        before = server.rss_kb()
        line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
        for _ in range(8):  # each would be 16 MB of head, never finished
            with connect(server) as sock:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                sent, answer = 0, b""
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    while sent < 16 * 2**20:
                        sock.sendall(line * 64)
                        sent += len(line) * 64
                        sock.settimeout(0)
                        with contextlib.suppress(BlockingIOError):
                            answer += sock.recv(4096)
                        sock.settimeout(10)
                        if answer:
                            break
                answer += read_until_closed(sock, time.monotonic() + DEADLINE_S)
            # What the client wrote before it read the answer includes the kernel's buffers:
            # the server's memory below is what shows that it stopped reading early.
            assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
            assert sent < 16 * 2**20
        grown_mb = (server.rss_kb() - before) / 1024
        assert grown_mb < 16, f"RSS grew by {grown_mb:.1f} MB"
        # A complete 8 MB head: refused (431), or closed while it is still being sent.
        with connect(server) as sock:
            head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 8 * 2**20 + b"\r\n\r\n"
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(head)
            answer = read_until_closed(sock, time.monotonic() + DEADLINE_S)
            assert answer == b"" or answer.startswith(b"HTTP/1.1 431"), answer[:100]
        assert metric(server, "playground_http_heads_too_large_total") >= 8
        assert server.tracebacks() == []


def test_idle_sockets_past_the_fd_limit_never_lock_out_a_request(tmp_path):
    # 256 file descriptors, as on a small host: the server keeps its connections below that
    # and closes the oldest idle one to let a real request in.
    with serve(tmp_path, nofile=256, engine_workers=0, request_timeout_s=60) as server:
        assert healthz(server) == 200
        idle = [connect(server) for _ in range(300)]
        try:
            for _ in range(5):
                assert healthz(server) == 200
            assert server.open_fds() < 256
            assert metric(server, "playground_http_evicted_total") >= 300 - 256 + 5
        finally:
            for sock in idle:
                sock.close()
        log = server.log()
        assert "at most" in log and "file-descriptor limit is 256" in log
        assert server.tracebacks() == []


def test_websockets_and_kept_alive_connections_outlive_the_request_deadline(tmp_path):
    async def play(server) -> int:
        async with websockets.connect(server.ws_url) as ws:
            client = Client(ws)
            await client.ready()
            loop = asyncio.get_running_loop()
            start, epoch = loop.time(), 0
            while loop.time() - start < 4.0:  # four request deadlines
                epoch = (await client.step()).epoch
            return epoch

    # Stepping as fast as frames come is over 50 messages a second: the limit is raised here.
    settings = {"engine_workers": 0, "request_timeout_s": 1.0, "max_messages_per_second": 1000}
    with serve(tmp_path, **settings) as server:
        assert asyncio.run(asyncio.wait_for(play(server), 30)) > 2
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for _ in range(3):  # one kept-alive connection, three requests
            conn.request("GET", "/healthz")
            assert conn.getresponse().read() == b"ok"
        conn.close()
        assert server.tracebacks() == []
