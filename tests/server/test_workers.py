"""Training in engine worker processes: the engine's exact epochs, edits win, stacks train
exactly. (The worker processes themselves, started, killed and stopped: test_worker_processes.)"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from frames import Client
from workload import SEED, companion, metric, open_client, play_at_max, run

from engine import Run


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
