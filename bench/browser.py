"""Epochs per second and heatmap repaints per second seen by a real headless Chromium at max speed.

    python bench/browser.py [--seconds 5]

Starts a playground server, opens the page for the default setup and for spiral with all 7 features
and 6 hidden layers of 8, plays at max speed, and counts what the page shows: the epoch counter and
the output heatmap's repaints, and the page's own drawing time per frame. Prints a table, then
one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import _server  # noqa: E402
from conftest import CHROMIUM_ARGS, find_chromium  # noqa: E402

SETUPS = {
    "default": "#seed=0.12345",
    "big": (
        "#seed=0.12345&dataset=spiral&networkShape=8,8,8,8,8,8&x=true&y=true&xSquared=true"
        "&ySquared=true&xTimesY=true&sinX=true&sinY=true"
    ),
}
SAMPLE = """() => ({
  epoch: window.playground.frame.epoch,
  paints: Number(document.querySelector('[data-testid=output-heatmap]').dataset.paints),
  frames: window.playground.stats.frames,
  drawMs: window.playground.stats.drawMs,
  t: performance.now(),
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)  # a bench may poll; tests wait for messages instead
    proc.kill()
    raise SystemExit("the server did not start")


def measure(page, url: str, seconds: float) -> dict:
    page.goto(url)
    page.wait_for_function("() => window.playground && window.playground.stats.frames > 0")
    page.select_option('[data-testid="speed"]', "max")
    page.wait_for_function("() => window.playground.server.speed === 'max'")
    page.click('[data-testid="play"]')
    page.wait_for_function("() => window.playground.frame.epoch > 0")
    page.wait_for_timeout(1000)  # warm-up
    a = page.evaluate(SAMPLE)
    page.wait_for_timeout(seconds * 1000)
    b = page.evaluate(SAMPLE)
    page.click('[data-testid="play"]')
    dt = (b["t"] - a["t"]) / 1000
    frames = max(1, b["frames"] - a["frames"])
    return {
        "epochs_per_s": round((b["epoch"] - a["epoch"]) / dt, 1),
        "repaints_per_s": round((b["paints"] - a["paints"]) / dt, 1),
        "frames_per_s": round((b["frames"] - a["frames"]) / dt, 1),
        "draw_ms_per_frame": round((b["drawMs"] - a["drawMs"]) / frames, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port)
    results = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
            for name, hash_ in SETUPS.items():
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                results[name] = measure(page, f"http://127.0.0.1:{port}/{hash_}", args.seconds)
                page.close()
            browser.close()
    finally:
        _server.stop_server(server)
    columns = ["epochs_per_s", "repaints_per_s", "frames_per_s", "draw_ms_per_frame"]
    print(f"{'setup':<10}" + "".join(f"{c:>20}" for c in columns))
    for name, r in results.items():
        print(f"{name:<10}" + "".join(f"{r[c]:>20}" for c in columns))
    flat = {f"{name}_{k}": v for name, r in results.items() for k, v in r.items()}
    print(json.dumps({"cpus": os.cpu_count(), **flat}))


if __name__ == "__main__":
    main()
