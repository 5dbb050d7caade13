"""The page's first message carries its config, whether or not the server greets it first."""

from __future__ import annotations

import json
import struct

HASH = "#seed=0.777&networkShape=3&dataset=xor"


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


def answer_only(route) -> None:
    """Pass the page only what answers its config, as a server that builds the session from the
    page's first message sends: the greeting's state, data and frames are dropped (its frames
    acknowledged here, so the server goes on)."""
    server = route.connect_to_server()
    answered = False

    def from_server(message) -> None:
        nonlocal answered
        if answered:
            route.send(message)
        elif isinstance(message, bytes):
            seq = struct.unpack_from("<I", message, 8)[0]
            server.send(json.dumps({"type": "ack", "seq": seq}))
        elif (m := json.loads(message))["type"] == "state" and m["config"]["seed"] == "0.777":
            answered = True
            route.send(message)

    server.on_message(from_server)


def check_the_session_is_the_pages(page) -> None:
    page.wait_for_function("() => window.playground.stats.frames > 0", timeout=15000)
    assert page.evaluate("window.playground.opened[0]") == "config"
    config = page.evaluate("window.playground.server.config")
    assert config["seed"] == "0.777" and config["networkShape"] == [3]
    assert config["dataset"] == "xor"
    page.wait_for_function("() => (window.playground.data || {}).seed === '0.777'")
    assert page.evaluate("window.playground.frame.layers") == [2, 3, 1]
    page.click(tid("step"))
    page.wait_for_function("() => window.playground.frame.epoch === 1", timeout=15000)
    assert page.get_attribute(tid("dataset-xor"), "aria-pressed") == "true"


def test_today_the_greeting_is_set_aside(server, page):
    page.goto(server.url + "/" + HASH)
    check_the_session_is_the_pages(page)


def test_a_server_that_sends_only_the_answer(server, page):
    page.route_web_socket("**/ws", answer_only)
    page.goto(server.url + "/" + HASH)
    check_the_session_is_the_pages(page)
    assert page.evaluate("window.playground.stats.frames") >= 1


def test_a_page_without_a_hash_sends_its_defaults_first(server, page):
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.goto(server.url + "/")
    page.wait_for_function("() => window.playground.stats.frames > 0", timeout=15000)
    first = json.loads(sent[0])
    assert first["type"] == "config" and "seed" not in first["config"]
    assert first["config"]["networkShape"] == [4, 2]
    page.wait_for_function("() => location.hash.includes('seed=')")
    page.click(tid("step"))
    page.wait_for_function("() => window.playground.frame.epoch === 1", timeout=15000)
