"""Before and after, in pairs: a load bench run against two servers in turn, several times.

    python bench/pairs.py --before ../old-checkout --pairs 5 -- load.py --sessions 200

Runs `bench/<script> <args> --server-root <root>` for the `--before` checkout, then the same
for `--after` (this checkout by default), `--pairs` times, alternating (every other pair runs
after first), so that both see the machine in the same moods; then prints each pair and the
median of each figure, with the after over before ratio. On a small shared machine one run of a
load bench swings by about a tenth from the next, so a single pair cannot tell a change of a few
percent from noise: the medians of alternating pairs can. The last line is JSON (every run's
figures, the medians, the ratios).

The script must print its figures as one JSON object on its last line, as bench/load.py and
bench/rooms.py do; `--figures` chooses which to show (all numeric ones go in the JSON).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOAD_FIGURES = (
    "epochs_per_s_p50",
    "epochs_per_s_p5",
    "fps_p50",
    "fps_p5",
    "latency_p95_ms",
    "bytes_per_frame",
)


def run(script: str, args: list[str], root: Path | None) -> dict:
    """One run of the bench script against the server in `root` (None: this checkout)."""
    command = [sys.executable, str(HERE / script), *args]
    if root is not None:
        command += ["--server-root", str(root)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(lines[-1])


def summary(runs: list[dict]) -> dict[str, float]:
    """The median of every numeric figure the runs share."""
    keys = [k for k, v in runs[0].items() if isinstance(v, int | float) and not isinstance(v, bool)]
    return {k: statistics.median(r[k] for r in runs if k in r) for k in keys}


def ratios(before: dict[str, float], after: dict[str, float]) -> dict[str, float | None]:
    """After over before, per figure (None where before is 0)."""
    return {k: (after[k] / before[k] if before[k] else None) for k in before if k in after}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the other checkout")
    parser.add_argument("--after", type=Path, help="a checkout (default: this one)")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--figures", nargs="*", default=list(LOAD_FIGURES))
    parser.add_argument("bench", nargs=argparse.REMAINDER, help="-- script.py and its options")
    args = parser.parse_args()
    bench = [a for a in args.bench if a != "--"]
    if not bench or not (HERE / bench[0]).is_file():
        parser.error("name a script of bench/ after --, for example: -- load.py --sessions 200")
    if args.pairs < 1:
        parser.error(f"--pairs {args.pairs}: at least 1")
    script, options = bench[0], bench[1:]
    before, after = [], []
    for i in range(args.pairs):
        if i % 2:  # every other pair the other way round: neither always runs second
            after.append(run(script, options, args.after))
            before.append(run(script, options, args.before))
        else:
            before.append(run(script, options, args.before))
            after.append(run(script, options, args.after))
        for label, figures in (("before", before[-1]), ("after", after[-1])):
            shown = "  ".join(f"{k} {figures.get(k)}" for k in args.figures)
            print(f"pair {i + 1} {label:6} {shown}", flush=True)
    medians = {"before": summary(before), "after": summary(after)}
    change = ratios(medians["before"], medians["after"])
    pairs = f"{args.pairs} pair" + ("s" if args.pairs > 1 else "")
    print(f"medians of {pairs} ({' '.join(bench)}):")
    for k in args.figures:
        if k in change:
            ratio = "n/a" if change[k] is None else f"{change[k]:.2f}x"
            print(f"  {k:22} {medians['before'][k]:>10g} -> {medians['after'][k]:>10g}  {ratio}")
    print(json.dumps({"before": before, "after": after, "medians": medians, "ratios": change}))


if __name__ == "__main__":
    main()
