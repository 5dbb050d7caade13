"""Read a running server's /metrics: the counters, and the event loop's lag between two reads."""

from __future__ import annotations

import math
import re
import urllib.request

LAG = "playground_event_loop_lag_seconds"


def scrape(port: int) -> dict[str, float]:
    """Every sample of /metrics by its name with labels, e.g. `x_bucket{le="0.01"}`."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        text = response.read().decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            # One process's figures: its `process` label (with Redis) is dropped.
            name = re.sub(r',?process="[^"]*"', "", name).replace("{}", "").replace("{,", "{")
            values[name] = float(value)
    return values


def _buckets(values: dict[str, float]) -> list[tuple[float, float]]:
    rows = []
    for key, count in values.items():
        if key.startswith(LAG + "_bucket"):
            bound = key.split('le="')[1].rstrip('"}')
            rows.append((math.inf if bound == "+Inf" else float(bound), count))
    return sorted(rows)


def quantile(q: float, rows: list[tuple[float, float]]) -> float:
    """Prometheus' histogram_quantile: linear within the bucket the quantile falls in."""
    total = rows[-1][1] if rows else 0
    if total <= 0:
        return float("nan")
    rank, lower, below = q * total, 0.0, 0.0
    for bound, count in rows:
        if count >= rank:
            if math.isinf(bound):
                return lower  # past the last finite bound: report that bound
            inside = count - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = bound, count
    return lower


def loop_lag(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """The loop lag between two scrapes: p50 and p99 in ms (from the histogram's buckets, so
    within a bucket's width) and the largest of the last 10 s, exact."""
    old = dict(_buckets(before))
    rows = [(bound, count - old.get(bound, 0.0)) for bound, count in _buckets(after)]
    samples = rows[-1][1] if rows else 0
    counts = [0.0] + [count for _, count in rows]
    below = [bound for i, (bound, count) in enumerate(rows) if count > counts[i]]
    return {
        "samples": int(samples),
        "p50_ms": round(quantile(0.5, rows) * 1000, 2),
        "p99_ms": round(quantile(0.99, rows) * 1000, 2),
        # The largest lag between the two reads, as the bound of its bucket ...
        "max_at_most_ms": (round(below[-1] * 1000, 1) if below else 0.0)
        if not below or math.isfinite(below[-1])
        else "more than 5000",
        # ... and the largest of the last 10 s before the second read, exact.
        "max_ms": round(after.get("playground_event_loop_lag_max_seconds", 0.0) * 1000, 2),
    }
