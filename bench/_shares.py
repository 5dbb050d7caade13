"""The load bench's figures per setup, its fairness figure (who got how much training time), and
its printed report.

Each client reads its session's training seconds (`trainedSeconds` in `state`) when the window
opens and closes; a person (a client id, several tabs of one student) should get an equal share
of the training time, and Jain's index says how close the shares came: 1 when all are equal,
1/n when one got everything.
"""

from __future__ import annotations

import numpy as np


def jain(values: list[float]) -> float:
    """Jain's fairness index of `values`: (sum x)^2 / (n sum x^2), from 1/n to 1."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0 or not np.any(x):
        return float("nan")
    return float(x.sum() ** 2 / (len(x) * np.square(x).sum()))


def _round(value: float, digits: int = 1) -> float | None:
    return None if not np.isfinite(value) else round(float(value), digits)


def per_setup(players: list, eps: np.ndarray, fps: np.ndarray) -> dict:
    """Per setup: sessions, epochs/s and frames/s (p5, p50), frame latency (p50, p95), CPU-seconds
    per epoch and the share of all training time against an equal share per person."""
    seconds = [p.trained_seconds() for p in players]
    known = all(s is not None for s in seconds)
    total = sum(seconds) if known else 0.0
    persons = {p.person for p in players}
    out = {}
    for kind in dict.fromkeys(p.setup for p in players):
        group = [i for i, p in enumerate(players) if p.setup == kind]
        lat = np.concatenate([players[i].latencies for i in group] + [[np.nan]])
        lat = lat[np.isfinite(lat)] if np.isfinite(lat).any() else np.array([np.nan])
        epochs = sum(players[i].trained_epochs() or 0 for i in group)
        row = {
            "sessions": len(group),
            "epochs_per_s_p5": round(float(np.percentile(eps[group], 5)), 1),
            "epochs_per_s_p50": round(float(np.percentile(eps[group], 50)), 1),
            "fps_p5": round(float(np.percentile(fps[group], 5)), 1),
            "fps_p50": round(float(np.percentile(fps[group], 50)), 1),
            "latency_p50_ms": _round(np.percentile(lat, 50) * 1000),
            "latency_p95_ms": _round(np.percentile(lat, 95) * 1000),
            "cpu_ms_per_epoch": None,
            "share": None,
            "equal_share": round(len({players[i].person for i in group}) / len(persons), 3),
        }
        if known and total > 0:
            spent = sum(seconds[i] for i in group)
            row["cpu_ms_per_epoch"] = _round(1000 * spent / epochs, 3) if epochs else None
            row["share"] = round(spent / total, 3)
        out[kind] = row
    return out


def fairness(players: list) -> dict:
    """Jain's index over sessions' training seconds and over persons' (a person's tabs summed);
    None when the server does not report training seconds."""
    seconds = [p.trained_seconds() for p in players]
    if any(s is None for s in seconds):
        return {"jain_sessions": None, "jain_persons": None}
    by_person: dict = {}
    for p, s in zip(players, seconds, strict=True):
        by_person[p.person] = by_person.get(p.person, 0.0) + s
    return {
        "jain_sessions": _round(jain(seconds), 3),
        "jain_persons": _round(jain(list(by_person.values())), 3),
    }


def report(r: dict) -> None:
    print(f"sessions                 {r['sessions']}")
    print(f"aggregate epochs/s       {r['aggregate_epochs_per_s']}")
    print(f"epochs/s per session     p5 {r['epochs_per_s_p5']}  p50 {r['epochs_per_s_p50']}")
    print(f"frames/s per client      p5 {r['fps_p5']}  p50 {r['fps_p50']}")
    print(f"frame latency ms         p50 {r['latency_p50_ms']}  p95 {r['latency_p95_ms']}")
    kbit = r.get("kbit_per_s_per_client", "n/a")
    print(f"bytes per frame          {r['bytes_per_frame']}  ({kbit} kbit/s per client)")
    print(f"server CPU %             {r['cpu_percent']}")
    kids = f"(+ {r['workers_rss_mb']} in {r['worker_processes']} child processes)"
    print(f"server RSS MB            {r['rss_mb']}  {kids}")
    print(f"clients without frames   {r['clients_without_frames']}  errors {r['errors']}")
    print(f"probe round trip ms      p50 {r['probe_rtt_p50_ms']}  max {r['probe_rtt_max_ms']}")
    lag = f"p50 {r['loop_lag_p50_ms']}  p99 {r['loop_lag_p99_ms']}  max {r['loop_lag_max_ms']}"
    print(f"event-loop lag ms        {lag}  (/metrics over the window)")
    for kind, g in r.get("per_setup", {}).items():
        print(
            f"{kind:<8} x{g['sessions']:<4}  epochs/s p5 {g['epochs_per_s_p5']}"
            f"  p50 {g['epochs_per_s_p50']}  fps p5 {g['fps_p5']}  p50 {g['fps_p50']}"
        )
    for kind, g in r.get("per_setup", {}).items():
        cpu = "n/a" if g["cpu_ms_per_epoch"] is None else g["cpu_ms_per_epoch"]
        share = "n/a" if g["share"] is None else g["share"]
        print(
            f"{kind:<8} latency ms p50 {g['latency_p50_ms']}  p95 {g['latency_p95_ms']}"
            f"  CPU ms/epoch {cpu}  training share {share} (equal: {g['equal_share']})"
        )
    jain = [r["jain_sessions"], r["jain_persons"]]
    jain = ["n/a" if j is None else j for j in jain]
    print(f"fairness (Jain's index)  sessions {jain[0]}  persons {jain[1]}")


def kept(base: dict, mixed: dict) -> dict:
    """What share of their epochs/s and frames/s (medians) the default clients kept in the mix."""
    ours = mixed.get("per_setup", {}).get("default", mixed)
    return {
        "epochs_per_s": round(ours["epochs_per_s_p50"] / max(base["epochs_per_s_p50"], 1e-9), 3),
        "fps": round(ours["fps_p50"] / max(base["fps_p50"], 1e-9), 3),
    }
