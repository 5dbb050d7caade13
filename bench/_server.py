"""Start `python -m server` for a bench script on a free loopback port, with extra settings."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent


def start_server(
    settings: dict[str, str],
    log: IO | None = None,
    nofile: int | None = None,
    processes: int = 1,
    root: Path | None = None,
) -> tuple[subprocess.Popen, socket.socket, int]:
    """The server process, its listening socket (keep it open) and port; `settings` are env vars.

    `log`: a file for the server's stderr (else this terminal's); `nofile`: the server's
    file-descriptor limit, soft and hard, as on a small host; `processes` > 1 runs that many
    serving processes under one supervisor, as `playground --processes N` does (it needs
    PLAYGROUND_REDIS_URL in `settings`); `root`: another checkout whose server to run (an older
    version, to compare), left as it is (no bytecode written there).
    """
    # We bind the socket ourselves and hand it over, so the port is known and free before start.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    env = {**os.environ, **settings}
    if root is not None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    args = [sys.executable, "-m", "server", "--fd", str(sock.fileno()), "--port", str(port)]
    if processes > 1:
        args += ["--processes", str(processes)]

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    proc = subprocess.Popen(
        args,
        cwd=root or ROOT,  # `python -m server` imports the server of its working directory
        env=env,
        pass_fds=(sock.fileno(),),
        stderr=log,
        preexec_fn=limit_files if nofile is not None else None,
    )
    return proc, sock, port


def stop_server(proc: subprocess.Popen) -> None:
    """Stop it as an operator would (SIGTERM: connections close, workers shut down); kill it
    only if that takes more than 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_redis() -> tuple[subprocess.Popen, str]:
    """A redis-server of our own on a free loopback port, no persistence, and its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    proc = subprocess.Popen(args + ["--appendonly", "no"], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start within 10 s (is it installed?)")
