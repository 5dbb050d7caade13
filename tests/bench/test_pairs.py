"""bench/pairs.py: its medians and ratios, and one real pair of bench/load.py runs."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_pairs():
    spec = importlib.util.spec_from_file_location("pairs", ROOT / "bench" / "pairs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_medians_of_every_numeric_figure_and_after_over_before():
    pairs = load_pairs()
    runs = [
        {"fps_p50": 10.0, "errors": 0, "setup": "default", "ok": True},
        {"fps_p50": 12.0, "errors": 2, "setup": "default", "ok": True},
        {"fps_p50": 30.0, "errors": 1, "setup": "default", "ok": True},
    ]
    before = pairs.summary(runs)
    assert before == {"fps_p50": 12.0, "errors": 1}  # strings and flags are not figures
    after = {"fps_p50": 9.0, "errors": 3}
    assert pairs.ratios(before, after) == {"fps_p50": 0.75, "errors": 3.0}
    assert pairs.ratios({"errors": 0}, {"errors": 1}) == {"errors": None}


@pytest.mark.timeout(120)
def test_one_pair_of_real_load_runs_gives_both_runs_and_their_ratios():
    command = [sys.executable, "bench/pairs.py", "--before", str(ROOT), "--pairs", "1", "--"]
    command += ["load.py", "--sessions", "2", "--seconds", "1", "--warmup", "0.5"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pair 1 before" in done.stdout and "pair 1 after" in done.stdout
    result = json.loads(done.stdout.splitlines()[-1])
    assert len(result["before"]) == len(result["after"]) == 1
    for side in ("before", "after"):
        assert result["medians"][side]["fps_p50"] > 0
        assert result["medians"][side]["errors"] == 0
    assert result["ratios"]["fps_p50"] > 0


def test_a_script_that_is_not_a_bench_is_refused_with_what_to_give():
    command = [sys.executable, "bench/pairs.py", "--before", str(ROOT), "--", "nothing.py"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "-- load.py --sessions 200" in done.stderr
