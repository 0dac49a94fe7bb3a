"""Bounded sweeps: the volume sweep refuses more than MAX_POINTS volumes in one line, and the steady
costs behind it (and behind the breakeven search) are evaluated in parts that give the same numbers."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import ROOT

from workbench.model import engine, sweep
from workbench.store import files


def test_a_sweep_past_the_limit_is_refused_in_one_line():
    s = files.load(ROOT / "presets" / "starter.toml")
    sw = sweep.volume_sweep(s, np.logspace(0, 9, sweep.MAX_POINTS))
    assert sw["costs"].shape == (4, sweep.MAX_POINTS)
    with pytest.raises(sweep.SweepError) as err:
        sweep.volume_sweep(s, np.logspace(0, 9, sweep.MAX_POINTS + 1))
    assert (
        str(err.value)
        == f"{sweep.MAX_POINTS + 1:,} volumes is over the limit of {sweep.MAX_POINTS:,} for one sweep"
    )
    with pytest.raises(sweep.SweepError):
        sweep.default_volumes(1000.0, points=sweep.MAX_POINTS + 1)


def test_steady_costs_in_parts_equal_one_evaluation(monkeypatch):
    s = files.load(ROOT / "presets" / "loan-underwriting-100k.toml")
    rows = engine.input_arrays(s)
    vols = np.logspace(-2, 9, 5_001)
    whole = engine.steady_costs(rows, vols)
    before = engine.breakeven_volumes(rows)
    monkeypatch.setattr(engine, "STEADY_ROWS", 97)
    assert np.array_equal(engine.steady_costs(rows, vols), whole)
    assert engine.breakeven_volumes(rows) == before


KINKS = """
[workload]
requests_per_day = 1000
peak_to_average = 1
[[gpus]]
name = "G"
hourly = 1.0
[[options]]
name = "A"
serve = "self_hosted"
gpu = "G"
requests_per_second_per_gpu = 0.0001
target_utilization = 1
baseline = true
[[options]]
name = "B"
serve = "self_hosted"
gpu = "G"
requests_per_second_per_gpu = 0.0001
target_utilization = 1
"""


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_a_million_gpu_steps_in_the_breakeven_search_stay_in_bounded_memory(tmp_path):
    """Two identical always-on options at 1e-4 requests/s per GPU: the breakeven search evaluates each
    of a million GPU steps (3M volumes). All at once that took 3.4 GB; in parts it stays under 500 MB,
    measured as the peak RSS of `workbench report` in a child process."""
    path = tmp_path / "kinks.toml"
    path.write_text(KINKS)
    p = subprocess.Popen(
        [sys.executable, "-m", "workbench", "report", str(path), "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    assert p.returncode == 0
    assert usage.ru_maxrss / 1024 < 500
    r = engine.compute(files.parse_text(KINKS, "kinks.toml"))
    assert r.options[1].breakeven_requests_per_day == 0.0  # never dearer than the identical baseline
