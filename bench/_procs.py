"""A server's processes seen through /proc: its children (the engine workers), CPU time, memory."""

from __future__ import annotations

import os
from pathlib import Path


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def children(pid: int) -> list[int]:
    """The server's own processes (engine workers and their helper), found through /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def cpu_seconds(pid: int, kids: list[int]) -> float:
    """CPU time of the server and of its engine workers (they train: their CPU is the server's)."""
    total = 0.0
    for p in [pid, *kids]:
        try:
            fields = _stat(p)
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def rss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants (serving processes under a supervisor, engine workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of `pid` and every descendant, as now."""
    found = tree(pid)
    return cpu_seconds(found[0], found[1:])


def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and every descendant, in MB."""
    return sum(rss_mb(each) for each in tree(pid))
