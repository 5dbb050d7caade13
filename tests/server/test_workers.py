"""Training in engine worker processes: the engine's exact epochs, edits win, workers may die."""

from __future__ import annotations

import asyncio
import fcntl
import os
import select
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import websockets
from frames import Client

from engine import Run

SEED = {"seed": "0.12345"}
RESTARTS = "playground_engine_worker_restarts_total"


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


async def assert_steps_like_the_engine(
    client: Client, frame, config: dict, steps: int, layer: int
) -> None:
    """The engine restored from `frame` and the server, both stepped on, give the same weights."""
    local = Run.from_config(config)
    local.restore([w.tolist() for w in frame.weights], [b.tolist() for b in frame.biases],
                  frame.epoch)  # fmt: skip
    local.step(steps)
    after = await client.step(steps)
    assert after.epoch == frame.epoch + steps
    np.testing.assert_array_equal(after.weights[layer], local.network.weights[layer])


async def quiet(client: Client) -> bool:
    try:
        await client.next(timeout=0.5)
    except TimeoutError:
        return True
    return False


@pytest.mark.parametrize("workers", [0, 2])
def test_steps_give_one_frame_each_with_the_engines_exact_weights(make_server, workers):
    server = make_server(engine_workers=workers)
    local = Run.from_config(SEED)

    async def go():
        other = await companion(server.ws_url)
        client, ws = await open_client(server.ws_url)
        async with ws, other:
            epoch = 0
            for n in (1, 7, 30, 200):
                frame = await client.step(n)
                local.step(n)
                epoch += n
                assert frame.epoch == epoch == local.epoch and not frame.playing
                assert frame.history[:, 0].tolist() == list(range(epoch - n + 1, epoch + 1))
                for got, want in zip(frame.weights, local.network.weights, strict=True):
                    np.testing.assert_array_equal(got, want)
                for got, want in zip(frame.biases, local.network.biases, strict=True):
                    np.testing.assert_array_equal(got, want)
                assert frame.test_loss == pytest.approx(local.test_loss, abs=1e-12)
            assert await quiet(client)  # each step was answered once

    run(go())


@pytest.mark.parametrize("workers", [0, 2])
def test_an_edit_while_playing_wins_over_training_in_flight(make_server, workers):
    server = make_server(engine_workers=workers)

    async def go():
        other = await companion(server.ws_url)
        client, ws = await open_client(server.ws_url)
        async with ws, other:
            await play_at_max(client)
            for _ in range(5):
                await client.ack(await client.frame())
            # Training is in flight now and then: whatever it was doing must not undo these.
            await client.send(type="pause")
            await client.send(type="set_weight", layer=0, to=1, **{"from": 0}, value=2.5)
            state = await client.state_with(playing=False)
            frame = await client.frame()
            while frame.weights[0][1, 0] != 2.5:
                await client.ack(frame)
                frame = await client.frame()
            await client.ack(frame)
            assert await quiet(client)
            assert frame.epoch == state["epoch"] and not frame.playing
            # The server's state is exactly the frame's: the engine, restored from it, agrees.
            await assert_steps_like_the_engine(client, frame, SEED, steps=3, layer=0)

    run(go())


@pytest.mark.parametrize("workers", [0, 2])
def test_new_data_while_playing_starts_over_cleanly(make_server, workers):
    server = make_server(engine_workers=workers)

    async def go():
        other = await companion(server.ws_url)
        client, ws = await open_client(server.ws_url)
        async with ws, other:
            await client.send(type="speed", eps="max")
            await client.send(type="play")
            frame = await client.frame()
            async with asyncio.timeout(30):
                while frame.epoch < 300:
                    await client.ack(frame)
                    frame = await client.frame()
            await client.ack(frame)
            # New data is built in a thread while training may be out: the old run's epochs must
            # never come back.
            await client.send(type="config", config={"dataset": "xor"})
            await client.state_with(playing=True)
            await client.until("data")
            frame = await client.frame()
            while frame.epoch >= 300:  # the old run's last frames
                await client.ack(frame)
                frame = await client.frame()
            seen = []
            async with asyncio.timeout(30):
                while frame.epoch < 200:
                    assert frame.playing and not frame.diverged
                    seen += frame.history[:, 0].tolist()
                    await client.ack(frame)
                    frame = await client.frame()
            await client.ack(frame)
            seen += frame.history[:, 0].tolist()
            assert seen and seen == list(range(int(seen[0]), int(frame.epoch) + 1))
            await client.send(type="pause")
            state = await client.state_with(playing=False)
            last = await client.frame()
            while last.epoch != state["epoch"]:
                await client.ack(last)
                last = await client.frame()
            await client.ack(last)
            await assert_steps_like_the_engine(client, last, {**SEED, "dataset": "xor"}, 2, layer=1)

    run(go())


def cpu_ticks(pids: list[int]) -> int:
    """User and system CPU time the processes used so far, in clock ticks."""
    total = 0
    for pid in pids:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total


async def until_epoch(client: Client, frame, epoch: int, done=lambda: True):
    """Ack frames until one reaches `epoch` (and `done()` holds); each must show play going on."""
    async with asyncio.timeout(60):
        while frame.epoch < epoch or not done():
            assert frame.playing and not frame.diverged
            await client.ack(frame)
            frame = await client.frame()
    return frame


def test_a_killed_worker_is_started_again_and_training_goes_on_in_the_workers(make_server):
    server = make_server(engine_workers=2)

    def alive() -> bool:
        return metric(server.url, "playground_engine_workers_alive") == 1

    async def go():
        other = await companion(server.ws_url)
        client, ws = await open_client(server.ws_url)
        async with ws, other:
            await play_at_max(client)
            frame = await client.frame()
            # The workers start while the first epochs train here.
            frame = await until_epoch(client, frame, 0, alive)
            frame = await until_epoch(client, frame, frame.epoch + 1000)
            pids = worker_pids(server.proc.pid)
            assert len(pids) == 2 and metric(server.url, RESTARTS) == 0
            os.kill(pids[0], signal.SIGKILL)
            frame = await until_epoch(client, frame, frame.epoch + 500)
            frame = await until_epoch(client, frame, 0, alive)
            assert metric(server.url, RESTARTS) == 1
            workers = worker_pids(server.proc.pid)
            assert len(workers) == 2 and pids[0] not in workers and pids[1] in workers
            # Training went back to the workers (it trains here only while one starts).
            ticks = cpu_ticks(workers)
            frame = await until_epoch(client, frame, frame.epoch + 1000)
            assert cpu_ticks(workers) > ticks + 5
            await client.ack(frame)
            await client.send(type="pause")
            await client.state_with(playing=False)
            last = await client.frame()
            await client.ack(last)
            stepped = await client.step(4)
            assert stepped.epoch == last.epoch + 4

    run(go())


def test_workers_exit_when_the_server_dies(make_server):
    server = make_server(engine_workers=2)

    async def go() -> list[int]:
        other = await companion(server.ws_url)
        async with other:
            client = Client(other)
            async with asyncio.timeout(30):
                while metric(server.url, "playground_engine_workers_alive") != 1:
                    await client.ack(await client.frame())
        return worker_pids(server.proc.pid)

    pids = run(go())
    assert len(pids) == 2
    handles = [os.pidfd_open(pid) for pid in pids]
    try:
        server.proc.kill()
        for handle in handles:  # readable once that process has exited
            assert select.select([handle], [], [], 30)[0] == [handle]
    finally:
        for handle in handles:
            os.close(handle)


def test_a_stopped_server_stops_its_workers_cleanly():
    """SIGTERM, as an operator stops it: the server shuts down, its workers first, and nothing
    is reported leaked."""
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--fd", str(sock.fileno()), "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PLAYGROUND_ENGINE_WORKERS": "2"},
        pass_fds=(sock.fileno(),),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    sock.close()
    url = f"http://127.0.0.1:{port}"

    async def go() -> list[int]:
        others = [await companion(f"ws://127.0.0.1:{port}/ws") for _ in range(2)]
        client = Client(others[0])
        async with asyncio.timeout(30):
            while metric(url, "playground_engine_workers_alive") != 1:
                await client.ack(await client.frame())
        for _ in range(20):  # a few slices in the workers
            await client.ack(await client.frame())
        for ws in others:
            await ws.close()
        return worker_pids(proc.pid)

    try:
        pids = run(go())
        assert len(pids) == 2
        handles = [os.pidfd_open(pid) for pid in pids]
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
        # uvicorn raises the signal again once it has shut down gracefully
        assert proc.returncode == -signal.SIGTERM, stderr.decode()
        assert b"leaked" not in stderr and b"Traceback" not in stderr, stderr.decode()
        for handle in handles:  # the workers had ended before their server did
            assert select.select([handle], [], [], 0)[0] == [handle]
            os.close(handle)
    finally:
        proc.kill()
        proc.wait()


def test_workers_run_at_a_lower_priority_than_the_server(make_server):
    server = make_server(engine_workers=2)

    def nice(pid: int) -> int:
        return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[16])

    def niced() -> list[int]:
        try:
            return [nice(pid) - nice(server.proc.pid) for pid in worker_pids(server.proc.pid)]
        except OSError:
            return []

    async def go():
        other = await companion(server.ws_url)
        async with other:
            client = Client(other)
            async with asyncio.timeout(30):
                # Workers lower their priority as they start, while the first epochs train here.
                while niced() != [5, 5]:
                    await client.ack(await client.frame())

    run(go())


def test_workers_answer_over_pipes_wide_enough_for_a_batchs_replies(make_server):
    """A worker that answers while the event loop is busy must not wait to write its replies:
    its replies' pipe holds a megabyte (Linux's F_SETPIPE_SZ), not the default 64 KiB."""
    server = make_server(engine_workers=2)

    def pipe_sizes(pid: int) -> list[int]:
        sizes = []
        for fd in (Path("/proc") / str(pid) / "fd").iterdir():
            try:
                if not os.readlink(fd).startswith("pipe:"):
                    continue
                handle = os.open(fd, os.O_RDONLY | os.O_NONBLOCK)
            except OSError:
                continue  # closed meanwhile
            try:
                sizes.append(fcntl.fcntl(handle, fcntl.F_GETPIPE_SZ))
            finally:
                os.close(handle)
        return sizes

    async def go() -> list[int]:
        other = await companion(server.ws_url)
        async with other:
            client = Client(other)
            async with asyncio.timeout(30):
                while len(worker_pids(server.proc.pid)) < 2:
                    await client.ack(await client.frame())
        return worker_pids(server.proc.pid)

    for pid in run(go()):
        assert max(pipe_sizes(pid)) == 1 << 20, pid


def stacked_epochs(url: str) -> float:
    return metric(url, "playground_epochs_stacked_total")


def test_sessions_of_one_structure_train_in_stacks_with_the_engines_exact_weights(make_server):
    server = make_server(engine_workers=2)
    configs = [
        {"seed": f"0.{k}", "learningRate": lr} for k, lr in ((41, 0.03), (42, 0.1), (43, 0.3))
    ]

    async def stepper(config: dict, rounds: int) -> None:
        local = Run.from_config(config)
        client, ws = await open_client(server.ws_url)
        async with ws:
            await client.send(type="config", config=config)
            await client.state_with(epoch=0)
            await client.ack(await client.frame())
            for _ in range(rounds):
                frame = await client.step(150)
                local.step(150)
                assert frame.epoch == local.epoch
                for got, want in zip(frame.weights, local.network.weights, strict=True):
                    np.testing.assert_array_equal(got, want)

    async def go():
        others = [await companion(server.ws_url) for _ in range(2)]
        try:
            async with asyncio.timeout(60):
                # Three sessions step at once, beside two playing ones of the same structure:
                # their jobs meet in the workers' stacks (again, until the metrics show it).
                while stacked_epochs(server.url) == 0:
                    await asyncio.gather(*(stepper(c, 3) for c in configs))
        finally:
            for ws in others:
                await ws.close()

    run(go())
