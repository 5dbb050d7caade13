"""Engine worker processes: started again when killed, gone with their server, stopped
cleanly, at a lower priority, answering over wide pipes."""

from __future__ import annotations

import asyncio
import fcntl
import os
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

from frames import Client
from workload import companion, metric, open_client, play_at_max, run, worker_pids

RESTARTS = "playground_engine_worker_restarts_total"


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
