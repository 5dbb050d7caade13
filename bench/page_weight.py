"""What each page costs a first-time visitor: bytes transferred and requests, cold cache.

    python bench/page_weight.py
    python bench/page_weight.py --server-root ../older-checkout   # the same, of another version

Starts a playground server, opens every page in a fresh headless Chromium context (an empty
cache) and adds up the bytes that crossed the wire (headers and bodies, compressed as sent) and
the number of requests, WebSockets left out. Then it opens each page again in the same context,
to show what a warm cache still fetches. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "bench"))

import _server  # noqa: E402
from conftest import CHROMIUM_ARGS, find_chromium  # noqa: E402

PAGES = {
    "playground": "/",
    "backprop": "/lessons/backprop",
    "linear-regression": "/lessons/linear-regression",
    "classroom": "/classroom",
    "instructor": "/classroom/new",
    "student": "/classroom/join",
}
# Each page is done loading when this is true (the lessons fetch their data after load).
READY = {
    "playground": "() => window.playground && window.playground.stats.frames > 0",
    "backprop": "() => document.body.dataset.ready === '1'",
    "linear-regression": "() => document.body.dataset.loaded === '1'",
}


def measure(context, url: str, ready: str | None) -> dict:
    """Open `url` in `context`; bytes and requests as the network saw them (CDP's own counts)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes: dict[str, int] = {}
    kinds: dict[str, str] = {}
    cached: set[str] = set()
    cdp.on("Network.requestWillBeSent", lambda e: kinds.setdefault(e["requestId"], e["type"]))
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))

    def finished(event: dict) -> None:
        sizes[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load")
    if ready:
        page.wait_for_function(ready, timeout=30000)
    page.wait_for_load_state("networkidle")
    page.close()
    done = {rid: n for rid, n in sizes.items() if kinds.get(rid) != "WebSocket"}
    fetched = [rid for rid in done if rid not in cached and done[rid] > 0]
    return {"bytes": sum(done[rid] for rid in fetched), "requests": len(fetched)}


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-root", type=Path, help="another checkout's server to run")
    args = parser.parse_args()
    proc, sock, port = _server.start_server({}, root=args.server_root)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
            for name, path in PAGES.items():
                context = browser.new_context()
                cold = measure(context, base + path, READY.get(name))
                warm = measure(context, base + path, READY.get(name))
                context.close()
                results[name] = {"cold": cold, "warm": warm}
            browser.close()
    finally:
        _server.stop_server(proc)
        sock.close()
    print(f"{'page':<20}{'cold KB':>10}{'requests':>10}{'warm KB':>10}{'requests':>10}")
    for name, r in results.items():
        c, w = r["cold"], r["warm"]
        print(
            f"{name:<20}{c['bytes'] / 1024:>10.1f}{c['requests']:>10}"
            f"{w['bytes'] / 1024:>10.1f}{w['requests']:>10}"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
