"""A real service for tests (redis-server, nginx): its own process and folder, started until its
log says it is ready, then stopped and cleaned up. No fakes: the Debian packages .ci/run installs.
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest

START_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require(program: str, name: str) -> None:
    """Skip without `program` on a developer's machine; fail in CI, where .ci/run installs it."""
    if not os.path.exists(program):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")


class Daemon:
    """One service process whose log (stdout and stderr) is read until `ready` appears in it,
    then drained so the process never blocks on a full pipe."""

    name = "the service"
    ready = b""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix=f"{self.name}-test-")
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._drainer: threading.Thread | None = None

    def start(self, args: list[str]) -> None:
        # Unbuffered, so that select() sees every line still to read.
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        log = []
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], deadline - time.monotonic())
            line = self.proc.stdout.readline() if ready else b""
            if not line:
                break
            log.append(line.decode(errors="replace"))
            if self.ready in line:
                self._drainer = threading.Thread(target=self._drain, daemon=True)
                self._drainer.start()
                return
        self.stop()
        raise RuntimeError(f"{self.name} did not start:\n" + "".join(log))

    def _drain(self) -> None:
        for _ in self.proc.stdout:
            pass

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._drainer is not None:
            self._drainer.join(timeout=5)  # it ends at the pipe's end, once the process is gone
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)
