"""`playground --processes N`: N whole serving processes on one listening socket, kept running.

Each child is `python -m server --fd <the socket>` with the settings as PLAYGROUND_* variables
and its share of the engine workers; the kernel hands each new connection to one of them. A child
that dies is started again; SIGTERM or Ctrl+C stops them all (each tells its clients first).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import fields

from server.settings import Settings

log = logging.getLogger(__name__)
STOP_TIMEOUT_S = 10.0
MAX_RESTART_DELAY_S = 5.0
STEADY_S = 60.0  # a child that ran this long and then died starts again at once


def per_process(settings: Settings) -> Settings:
    """One serving process's settings when `settings.processes` share the machine: its share
    of the engine workers (at least one each, when there are any)."""
    workers = settings.engine_workers
    share = max(1, round(workers / settings.processes)) if workers > 0 else 0
    return settings.replace(engine_workers=share, processes=1)


def environment(settings: Settings) -> dict[str, str]:
    """`settings` as PLAYGROUND_* variables that `Settings.from_env` reads back the same."""
    env = {}
    for f in fields(Settings):
        if f.name == "extra":
            continue
        value = getattr(settings, f.name)
        text = ",".join(value) if isinstance(value, tuple) else str(value)
        env[f"PLAYGROUND_{f.name.upper()}"] = text
    return env


def listening_socket(settings: Settings, fd: int | None) -> socket.socket:
    if fd is not None:
        sock = socket.socket(fileno=fd)
    else:
        sock = socket.create_server((settings.host, settings.port), backlog=2048)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    """Starts the children, starts again any that dies, stops them all on a signal."""

    def __init__(self, settings: Settings, sock: socket.socket) -> None:
        self.count = settings.processes
        self.sock = sock
        self.env = {**os.environ, **environment(per_process(settings))}
        self.children: list[subprocess.Popen | None] = [None] * self.count
        self.deaths = [0] * self.count
        self.started = [0.0] * self.count
        self.stopping = False

    def spawn(self, index: int) -> None:
        fd = self.sock.fileno()
        args = [sys.executable, "-m", "server", "--fd", str(fd)]
        self.children[index] = subprocess.Popen(
            args, env=self.env, pass_fds=(fd,), stdout=subprocess.DEVNULL
        )
        self.started[index] = time.monotonic()

    def run(self) -> None:
        for index in range(self.count):
            self.spawn(index)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop)
        while not self.stopping:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            self._replace(pid, status)
        self._stop_children()

    def _replace(self, pid: int, status: int) -> None:
        for index, child in enumerate(self.children):
            if child is None or child.pid != pid or self.stopping:
                continue
            child.returncode = os.waitstatus_to_exitcode(status)
            if time.monotonic() - self.started[index] > STEADY_S:
                self.deaths[index] = 0  # it had been running well: a new failure, not a loop
            self.deaths[index] += 1
            delay = min(MAX_RESTART_DELAY_S, 0.1 * 2 ** self.deaths[index])
            log.warning("serving process %d exited (%s); starting it again", pid, child.returncode)
            time.sleep(delay)  # a process that keeps dying must not spin this one
            if not self.stopping:
                self.spawn(index)

    def _stop(self, signum: int, frame: object) -> None:
        # Told at once, the children end, and the wait in `run` returns with them.
        self.stopping = True
        for child in self.children:
            if child is not None and child.poll() is None:
                child.terminate()

    def _stop_children(self) -> None:
        alive = [child for child in self.children if child is not None and child.poll() is None]
        for child in alive:
            child.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in alive:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def run_processes(settings: Settings, fd: int | None) -> None:
    """Serve with `settings.processes` processes until SIGTERM or Ctrl+C."""
    sock = listening_socket(settings, fd)
    try:
        Supervisor(settings, sock).run()
    finally:
        sock.close()
