"""Engine speed: epochs per second (one epoch plus both losses) and node-grid time.

Run: python bench/engine.py [--seconds S] [--repeats R] [--classes K]. Prints a table, then one
JSON line with default_epochs_per_s, big_epochs_per_s, default_grid_ms, big_grid_ms and
default_stack50_epochs_per_s: wall-clock medians over the repeats. `--classes K` (3 .. 8) adds
the "big" network on a K-arm spiral with K softmax outputs and cross-entropy ("bigK", and
bigK_epochs_per_s, bigK_grid_ms in the JSON line), beside the binary setups in the same run.
The "cpu" rows divide by this process's CPU time instead, which shows what the code does when
other processes share the cores.
The "stack" rows give K sessions of one structure to `train_jobs`, as a batch reaches an engine
worker (jobs of 10 epochs asking for the frame's pictures, drawn and packed as the server's
jobs ask; stacks of at most 32, built for each job), and count every session's epochs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import FEATURES, Run  # noqa: E402
from engine.remote import TrainerCache, train_jobs  # noqa: E402

GRID_SIZES = (100, 10)  # what the server's jobs ask for: its grid_size and thumb_size
SETUPS = {
    "default": {"seed": "0.12345"},  # circle, x1 x2, [4, 2], tanh, lr 0.03, batch 10
    "big": {
        "seed": "0.12345",
        "dataset": "spiral",
        "networkShape": [8] * 6,
        **{name: True for name in FEATURES},
    },
}


def epochs_per_s(run: Run, per_call: int, seconds: float, clock=time.perf_counter) -> float:
    """Epochs per second when the caller asks for `per_call` epochs at a time."""
    done, start, wall = 0, clock(), time.perf_counter()
    while time.perf_counter() - wall < seconds:
        run.step(per_call)
        done += per_call
    return done / (clock() - start)


def stack_epochs_per_s(runs: list[Run], seconds: float) -> float:
    """Session-epochs per second of `runs` trained together in jobs of 10 epochs, by a worker
    that has their data already (it gets it once per session), each job drawing and packing its
    frame's pictures as the server's jobs do."""
    cache = TrainerCache()
    for run in runs:
        cache.add_data(run.training_data())
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        jobs = [run.training_job(10, GRID_SIZES) for run in runs]
        for run, result in zip(runs, train_jobs(jobs, cache), strict=True):
            run.apply_training(result)
        done += 10 * len(runs)
    return done / (time.perf_counter() - start)


def grid_ms(run: Run, n: int, seconds: float) -> float:
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        run.node_grids(n)
        calls += 1
    return 1000 * (time.perf_counter() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.5, help="time per measurement")
    parser.add_argument("--repeats", type=int, default=5, help="measurements per figure")
    parser.add_argument(
        "--classes", type=int, default=0, help="also a K-class spiral, softmax and cross-entropy"
    )
    args = parser.parse_args()
    setups = dict(SETUPS)
    if args.classes:
        many = {**SETUPS["big"], "classes": args.classes, "loss": "crossEntropy"}
        setups[f"big{args.classes}"] = many
    figures: dict[str, dict[str, float]] = {}
    rows = []
    for name, config in setups.items():
        run = Run.from_config(config)
        run.step(5)  # warm up buffers and caches
        measures = {
            "epochs/s, step(1)": lambda run=run: epochs_per_s(run, 1, args.seconds),
            "epochs/s, step(10)": lambda run=run: epochs_per_s(run, 10, args.seconds),
            "epochs/cpu-s, step(1)": lambda run=run: epochs_per_s(
                run, 1, args.seconds, time.process_time
            ),
            "grid 100x100 ms": lambda run=run: grid_ms(run, 100, args.seconds),
            "grid 25x25 ms": lambda run=run: grid_ms(run, 25, args.seconds),
        }
        figures[name] = {}
        for label, measure in measures.items():
            values = [measure() for _ in range(args.repeats)]
            figures[name][label] = statistics.median(values)
            rows.append((name, label, statistics.median(values), min(values), max(values)))
        if run.diverged:
            raise SystemExit(f"{name}: the run diverged; the figures would mean nothing")
    for K in (12, 50):
        runs = [Run.from_config({"seed": f"0.{k + 10}"}) for k in range(K)]
        values = [stack_epochs_per_s(runs, args.seconds) for _ in range(args.repeats)]
        figures["default"][f"stack {K}"] = statistics.median(values)
        label = f"x{K} stack, epochs/s"
        rows.append(("default", label, statistics.median(values), min(values), max(values)))
    print(f"{'setup':<8} {'measure':<22} {'median':>10} {'min':>10} {'max':>10}")
    for name, label, median, low, high in rows:
        print(f"{name:<8} {label:<22} {median:>10.3f} {low:>10.3f} {high:>10.3f}")
    line = {
        "default_epochs_per_s": round(figures["default"]["epochs/s, step(1)"], 1),
        "big_epochs_per_s": round(figures["big"]["epochs/s, step(1)"], 1),
        "default_grid_ms": round(figures["default"]["grid 100x100 ms"], 3),
        "big_grid_ms": round(figures["big"]["grid 100x100 ms"], 3),
        "default_stack50_epochs_per_s": round(figures["default"]["stack 50"], 1),
    }
    for name in setups.keys() - SETUPS.keys():
        line[f"{name}_epochs_per_s"] = round(figures[name]["epochs/s, step(1)"], 1)
        line[f"{name}_grid_ms"] = round(figures[name]["grid 100x100 ms"], 3)
    print(json.dumps(line))


if __name__ == "__main__":
    main()
