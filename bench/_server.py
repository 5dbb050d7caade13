"""Start `python -m server` for a bench script on a free loopback port, with extra settings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_server(settings: dict[str, str]) -> tuple[subprocess.Popen, socket.socket, int]:
    """The server process, its listening socket (keep it open) and port; `settings` are env vars."""
    # We bind the socket ourselves and hand it over, so the port is known and free before start.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    env = {**os.environ, **settings}
    args = [sys.executable, "-m", "server", "--fd", str(sock.fileno()), "--port", str(port)]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, pass_fds=(sock.fileno(),))
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
