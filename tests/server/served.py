"""A real server whose log the test reads: `python -m server` on a pre-bound loopback socket,
with its stderr in a file, so a test can assert that nothing it sent left a traceback."""

from __future__ import annotations

import contextlib
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class LoggedServer:
    """One server process; `log()` is everything it wrote to stderr so far."""

    def __init__(self, log_path: Path, settings: dict, nofile: int | None = None) -> None:
        self.log_path = log_path
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(256)
        self.sock = sock
        self.port = sock.getsockname()[1]
        env = {**os.environ, **{f"PLAYGROUND_{k.upper()}": str(v) for k, v in settings.items()}}
        args = [sys.executable, "-m", "server", "--fd", str(sock.fileno())]
        args += ["--port", str(self.port)]

        def limit_files() -> None:  # runs in the child before exec
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self._log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            pass_fds=(sock.fileno(),),
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            preexec_fn=limit_files if nofile is not None else None,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def room_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/classroom/ws"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tracebacks(self) -> list[str]:
        """Each traceback in the log, with the lines before it that say what failed."""
        lines = self.log().splitlines()
        found = []
        for i, line in enumerate(lines):
            if line.startswith("Traceback"):
                found.append("\n".join(lines[max(0, i - 2) : i + 30]))
        return found

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def terminate(self) -> None:
        self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.sock.close()
        self._log.close()


@contextlib.contextmanager
def serve(tmp_path: Path, nofile: int | None = None, **settings: object) -> Iterator[LoggedServer]:
    """A logged server with these PLAYGROUND_* settings, stopped when the block ends."""
    log_path = tmp_path / f"server-{len(list(tmp_path.iterdir()))}.log"
    server = LoggedServer(log_path, settings, nofile)
    try:
        yield server
    finally:
        server.stop()


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """A plain GET on 127.0.0.1:`port`: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
