"""Sessions that keep a server's engine workers busy, and what the server and /proc say of them:
shared by the tests of training in the workers and of the worker processes themselves."""

from __future__ import annotations

import asyncio
import urllib.request
from pathlib import Path

import websockets
from frames import Client

SEED = {"seed": "0.12345"}


def run(coro):
    return asyncio.run(coro)


def metric(url: str, name: str) -> float:
    """One figure of the server's GET /metrics."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    raise AssertionError(f"no {name} in /metrics")


def worker_pids(server_pid: int) -> list[int]:
    """The server's engine worker processes (spawned children), found through /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == server_pid and b"spawn_main" in cmdline:
            pids.append(int(entry.name))
    return pids


async def open_client(url: str) -> tuple[Client, object]:
    ws = await websockets.connect(url, max_size=2**22)
    client = Client(ws)
    await client.ready()
    await client.send(type="config", config=SEED)
    await client.until("state")
    await client.ack(await client.frame())
    return client, ws


async def companion(url: str) -> object:
    """Another session playing at max speed: with two busy sessions, training goes to workers
    (one alone trains in the server process)."""
    client, ws = await open_client(url)
    await play_at_max(client)
    return ws


async def play_at_max(client: Client) -> None:
    await client.send(type="speed", eps="max")
    await client.send(type="play")
    await client.state_with(playing=True)
