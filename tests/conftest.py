"""Shared fixtures: a real playground server in its own process on a free loopback port."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--order",
        default="file",
        help='run the tests in "file" order, in "reverse", or shuffled by an integer seed: '
        "tests that share a server must pass in any order",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in this thread
    for as long as the browser lives, and the server tests start loops of their own."""
    order = config.getoption("order")
    if order == "reverse":
        items.reverse()
    elif order != "file":
        random.Random(int(order)).shuffle(items)
    items.sort(key=lambda item: BROWSER_TESTS in Path(str(item.path)).parents)


class ServerProcess:
    """`python -m server` serving on a socket this test process already listens on.

    The socket is bound and listening before the child starts, so a client can connect at once:
    the kernel queues the connection until uvicorn accepts it. No polling, no sleeps.
    """

    def __init__(
        self, env: dict[str, str] | None = None, port: int = 0, buffer_bytes: int | None = None
    ) -> None:
        self.env = {**os.environ, **(env or {})}
        self.port = port
        # Small kernel buffers for every connection (accepted sockets inherit the listener's):
        # a client that stops reading then stalls the server's writes at once, not megabytes on.
        self.buffer_bytes = buffer_bytes
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.buffer_bytes is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.buffer_bytes)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.buffer_bytes)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(256)
        sock.set_inheritable(True)
        self.port = sock.getsockname()[1]
        self.sock = sock
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server", "--fd", str(sock.fileno()), "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            pass_fds=(sock.fileno(),),
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    """One server for the tests that only talk to it; tests needing odd limits make their own.
    Every test's rooms come from one address, so its open rooms are not capped per address."""
    proc = ServerProcess({"PLAYGROUND_MAX_ROOMS_PER_IP": "1000"})
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def module_server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """One server for one test module, with the module's SERVER_SETTINGS: for tests whose state
    (rooms, limits per client address) must stay theirs, not become every module's."""
    settings = getattr(request.module, "SERVER_SETTINGS", {})
    proc = ServerProcess({f"PLAYGROUND_{k.upper()}": str(v) for k, v in settings.items()})
    yield proc
    proc.stop()


@pytest.fixture
def make_server() -> Iterator:
    """Start servers with extra PLAYGROUND_* settings; all are stopped after the test."""
    started: list[ServerProcess] = []

    def make(*, buffer_bytes: int | None = None, **settings: object) -> ServerProcess:
        env = {f"PLAYGROUND_{k.upper()}": str(v) for k, v in settings.items()}
        proc = ServerProcess(env, buffer_bytes=buffer_bytes)
        started.append(proc)
        return proc

    yield make
    for proc in started:
        proc.stop()
