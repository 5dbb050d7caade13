"""A client at the protocol's highest frame rate, acking every frame, is never rate limited."""

from __future__ import annotations

import asyncio
import json

import websockets
from frames import Client, Frame

PLAY_S = 30.0


def test_a_client_acking_every_frame_at_fps_60_keeps_its_stream_for_30_s(make_server):
    # Trained in the serving process, a session at full speed changes every round, so a frame is
    # due every 1/60 s (with engine workers, results land about 30 times a second). A busy
    # machine may not build 60 frames a second, so the message limit is set to 10 a second:
    # then the acks alone are over it, whatever the machine, and before acks were exempt the
    # stream stopped within seconds.
    server = make_server(engine_workers=0, max_messages_per_second=10, message_burst=20)

    async def go():
        async with websockets.connect(server.ws_url, max_size=2**22) as ws:
            client = Client(ws)
            await client.ready()
            await client.send(type="fps", fps=60)  # the protocol's maximum (limits.maxFps)
            await client.send(type="speed", eps="max")
            await client.send(type="play")
            loop = asyncio.get_running_loop()
            start = loop.time()
            frames, refusals, last_frame_at = 0, [], start
            while loop.time() - start < PLAY_S:
                item = await client.next(timeout=5.0)  # a stalled stream fails here
                if isinstance(item, Frame):
                    frames += 1
                    last_frame_at = loop.time()
                    await client.ack(item)
                elif item["type"] == "error":
                    refusals.append(item)
            return frames, refusals, last_frame_at - start

    frames, refusals, last_at = asyncio.run(go())
    assert refusals == [], json.dumps(refusals[:3])
    assert last_at > PLAY_S - 1.0, f"the last frame came at {last_at:.1f} s"
    assert frames > 2 * 10 * PLAY_S, f"{frames} frames (so acks) in {PLAY_S:g} s"
