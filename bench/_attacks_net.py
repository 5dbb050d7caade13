"""Connection-level attacks for bench/abuse.py: half-open sockets, slowloris, giant heads, idle
sockets against the file-descriptor limit. Each is bounded in count and time, and returns what
the server did."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time

import _clients


async def _closed_after(reader: asyncio.StreamReader, deadline: float) -> tuple:
    """Seconds until the server closed the connection (None: still open at the deadline), and
    what it said before."""
    said, started = b"", time.monotonic()
    with contextlib.suppress(TimeoutError, ConnectionError):
        while True:
            left = max(0.01, deadline - time.monotonic())
            chunk = await asyncio.wait_for(reader.read(4096), left)
            if not chunk:
                return time.monotonic() - started, said
            said += chunk
    return None, said


async def half_open(port: int, count: int, timeout_s: float) -> dict:
    """`count` connections that never send a byte."""
    pairs = [await asyncio.open_connection("127.0.0.1", port) for _ in range(count)]
    deadline = time.monotonic() + timeout_s + 5
    results = await asyncio.gather(*(_closed_after(r, deadline) for r, _ in pairs))
    for _, writer in pairs:
        writer.close()
    closed = [t for t, _ in results if t is not None]
    return {
        "closed": len(closed),
        "still_open": count - len(closed),
        "closed_after": _clients.stats_ms(closed),
        "said_nothing": sum(not said for _, said in results),
    }


async def _slowloris_one(port: int, line_every_s: float, deadline: float) -> tuple:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    lines = 0
    try:
        while time.monotonic() < deadline:
            next_line = min(deadline, time.monotonic() + line_every_s)
            closed, said = await _closed_after(reader, next_line)
            if closed is not None:
                return time.monotonic() - started, said, lines
            writer.write(b"X-Slow: %d\r\n" % lines)
            lines += 1
            await writer.drain()
    except ConnectionError:
        return time.monotonic() - started, b"(reset)", lines
    finally:
        writer.close()
    return None, b"", lines


async def slowloris(port: int, count: int, line_every_s: float, timeout_s: float) -> dict:
    """`count` connections sending one header line every `line_every_s`, never finishing."""
    deadline = time.monotonic() + timeout_s + 2 * line_every_s
    results = await asyncio.gather(
        *(_slowloris_one(port, line_every_s, deadline) for _ in range(count))
    )
    closed = [t for t, _, _ in results if t is not None]
    return {
        "closed": len(closed),
        "still_open": count - len(closed),
        "answered_408": sum(said.startswith(b"HTTP/1.1 408") for _, said, _ in results),
        "closed_after": _clients.stats_ms(closed),
        "header_lines_sent_max": max(lines for _, _, lines in results),
    }


def _giant_head(port: int, total: int, finish: bool) -> tuple[str, int]:
    """Send a head of `total` bytes (finished or not); the server's status line and how many
    bytes were written before it answered or closed."""
    line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    sent, answer = 0, b""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
            while sent < total and not answer:
                sock.sendall(line * 64)
                sent += len(line) * 64
                sock.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    answer = sock.recv(4096)
                sock.setblocking(True)
            if finish and not answer:
                sock.sendall(b"\r\n")
            sock.settimeout(15)
            answer = answer or sock.recv(4096)
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace") or "(closed)"
    return status, sent


async def giant_heads(port: int, count: int) -> dict:
    unfinished = []
    for _ in range(count):
        unfinished.append(await asyncio.to_thread(_giant_head, port, 16 * 2**20, False))
    complete = await asyncio.to_thread(_giant_head, port, 8 * 2**20, True)
    return {
        "unfinished_16MB": {
            "answers": sorted({status for status, _ in unfinished}),
            "client_wrote_before_answer_kb_max": max(sent for _, sent in unfinished) // 1024,
        },
        "complete_8MB": {"answer": complete[0]},
    }


async def idle_sockets(port: int, count: int, fds) -> dict:
    """`count` idle connections against a server with few file descriptors; /healthz meanwhile."""
    socks, refused = [], 0
    for _ in range(count):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            refused += 1
    statuses, most_fds = [], fds()
    for _ in range(10):
        status, _ = await asyncio.to_thread(_clients.http_call, port, "GET", "/healthz")
        statuses.append(status)
        most_fds = max(most_fds, fds())
    for sock in socks:
        sock.close()
    return {
        "opened": len(socks),
        "refused_by_kernel": refused,
        "healthz": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "server_fds_max": most_fds,
    }
