"""`playground --processes N`: N serving processes on one socket sharing Redis, kept running."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[2]


def serving_children(pid: int) -> set[int]:
    """The supervisor's children: whole servers (`python -m server --fd ...`)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def process_label(url: str) -> str:
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return re.search(r'^playground_sessions\{process="([0-9a-f]+)"\}', text, re.M).group(1)


def test_more_than_one_process_needs_redis():
    result = subprocess.run(
        [sys.executable, "-m", "server", "--processes", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "--processes 2 needs --redis-url" in result.stderr


def test_two_processes_serve_one_port_and_a_dead_one_is_started_again(redis_server):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    args = [sys.executable, "-m", "server", "--fd", str(sock.fileno()), "--port", str(port)]
    args += ["--processes", "2", "--redis-url", redis_server.url, "--engine-workers", "0"]
    proc = subprocess.Popen(
        args, cwd=ROOT, pass_fds=(sock.fileno(),), stdout=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert proc.stdout.readline().startswith("Playground running at")
        deadline = time.monotonic() + 30
        labels: set[str] = set()
        while len(labels) < 2:  # the kernel hands connections to either process
            assert time.monotonic() < deadline, f"only {labels} answered"
            labels.add(process_label(url))
        first = serving_children(proc.pid)
        assert len(first) == 2
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        while True:  # the supervisor starts another in its place
            assert time.monotonic() < deadline, "the dead process was not replaced"
            now = serving_children(proc.pid)
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.05)
        labels_after: set[str] = set()
        while len(labels_after) < 2:  # and it serves
            assert time.monotonic() < deadline, f"only {labels_after} answered after the restart"
            labels_after.add(process_label(url))
        assert labels_after != labels  # a new process, with a new id
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert not serving_children(proc.pid)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        sock.close()
