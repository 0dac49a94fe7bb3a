"""Bounded work: a Monte Carlo run's memory stays flat in the number of draws, a run past the limit is
refused in one line, and Ctrl+C ends a run with one line and exit code 130.

The peak memory is the child process's, measured by this process (os.wait4's ru_maxrss, KiB on
Linux): the whole `workbench simulate` command, Python and polars included. Nothing here asserts on
elapsed time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomli_w
from helpers import ROOT

from workbench.model import montecarlo

sys.path.insert(0, str(ROOT / "benchmarks"))

import synthetic  # noqa: E402

BUDGET_MB = 500  # the stated budget (README, Reliability: "Bounded work")
FIELDS = {
    "review_rate": {"low": 0.0, "high": 0.05},
    "ops_fte": {"low": 0.1, "high": 1.0, "dist": "triangular"},
    "fixed_monthly": {"low": 100.0, "high": 2000.0, "dist": "lognormal"},
    "setup_cost": {"low": 0.0, "high": 50000.0},
}


def large_dict(options: int, horizon: int, ranges: int) -> dict:
    """The synthetic scenario (every kind of option) with up to `ranges` [uncertainty] ranges: volume,
    API price drift and four fields of each option, every distribution."""
    d = synthetic.large_scenario_dict(options, horizon)
    unc = {
        "workload.requests_per_day": {"low": 20000.0, "high": 120000.0, "dist": "lognormal"},
        "market.api_price_change_per_year": {"low": -0.5, "high": 0.0, "dist": "triangular", "mode": -0.3},
    }
    for f, r in FIELDS.items():
        for o in d["options"]:
            if len(unc) < ranges:
                unc[f"options[{o['name']}].{f}"] = dict(r)
    d["uncertainty"] = unc
    return d


def write(tmp_path: Path, options: int, horizon: int, ranges: int) -> Path:
    path = tmp_path / f"large-{options}x{horizon}x{ranges}.toml"
    path.write_bytes(tomli_w.dumps(large_dict(options, horizon, ranges)).encode())
    return path


def child_env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def run_measured(*args: str) -> tuple[int, str, str, float]:
    """Run `python -m workbench ARGS`; (exit code, stdout, stderr, the child's peak RSS in MB).

    The pipes are read by threads and the child is reaped by os.wait4 (not Popen.wait), which returns
    that child's own resource usage."""
    import threading

    p = subprocess.Popen(
        [sys.executable, "-m", "workbench", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=child_env(),
    )
    got: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda k=k, f=f: got.__setitem__(k, f.read()))
        for k, f in (("out", p.stdout), ("err", p.stderr))
    ]
    for t in readers:
        t.start()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    for t in readers:
        t.join()
    p.stdout.close()
    p.stderr.close()
    return p.returncode, got["out"].decode(), got["err"].decode(), usage.ru_maxrss / 1024


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_a_large_run_in_several_chunks_stays_under_the_memory_budget(tmp_path):
    """40 options × 120 months × 162 ranges, 60,000 draws: three chunks. Held all at once as before,
    the monthly totals alone would be 40 × 120 × 60,000 × 8 bytes = 2.3 GB (three copies of them)."""
    options, horizon, draws = 40, 120, 60_000
    path = write(tmp_path, options, horizon, 200)
    from workbench.store import files

    scenario = files.load(path)
    assert montecarlo.chunk_draws(scenario) * 2 < draws, "the run must need several chunks"
    assert options * draws <= montecarlo.KEEP_CELLS  # exact percentiles: every draw's TCO is kept
    code, out, err, peak = run_measured("simulate", str(path), "--draws", str(draws), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["draws"] == draws and len(data["options"]) == options and len(data["ranges"]) == 162
    assert "estimated_percentiles" not in data
    for o in data["options"]:
        assert o["tco_p10"] <= o["tco_p50"] <= o["tco_p90"]
        if o["breakeven_month"] is not None:
            assert sum(o["breakeven_month"]["counts"]) + o["breakeven_month"]["never"] == draws
    assert sum(o["p_cheapest"] for o in data["options"]) == pytest.approx(1.0)
    assert peak < BUDGET_MB, f"peak RSS {peak:.0f} MB is over the {BUDGET_MB} MB budget"


def test_a_run_past_the_limit_is_refused_in_one_line(tmp_path):
    path = write(tmp_path, 100, 120, 200)
    code, out, err, _ = run_measured("simulate", str(path), "--draws", "1000000")
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "1,000,000 draws × 100 options × 120 months = 12,000,000,000 monthly totals" in lines[0]
    assert f"limit of {montecarlo.MAX_CELLS:,}" in lines[0] and "at most 50,000 draws" in lines[0]


@pytest.mark.skipif(sys.platform != "linux", reason="a pseudo-terminal and SIGINT")
def test_ctrl_c_ends_a_run_with_one_line_and_exit_130(tmp_path):
    """On a terminal a long run shows its progress; Ctrl+C (SIGINT) then ends it cleanly."""
    import pty
    import select

    path = write(tmp_path, 40, 120, 200)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, its stderr on the terminal
        os.environ.update(child_env())
        os.execv(
            sys.executable, [sys.executable, "-m", "workbench", "simulate", str(path), "--draws", "60000"]
        )
    seen = b""
    sent = False
    deadline = time.monotonic() + 300  # a safety net for a hung child, not a time assertion
    while time.monotonic() < deadline:
        if not sent and b"simulating:" in seen:
            os.kill(pid, signal.SIGINT)
            sent = True
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = seen.decode(errors="replace")
    assert sent, "the run showed no progress line"
    assert os.waitstatus_to_exitcode(status) == 130, text[-500:]
    assert "Traceback" not in text
    last = [line for line in text.replace("\r", "\n").splitlines() if line.strip()][-1]
    assert "interrupted after" in last and "of 60,000 draws" in last


def test_ctrl_c_sets_a_flag_the_run_asks_and_the_handler_is_put_back():
    """The run stops at its next step, not by a KeyboardInterrupt thrown through polars' Rust code
    (which can come out as a TypeError or be printed as "Exception ignored" and lost)."""
    from types import SimpleNamespace

    from workbench.cli.common import ctrl_c_flag

    before, hook = signal.getsignal(signal.SIGINT), sys.unraisablehook
    with ctrl_c_flag() as stop:
        assert not stop.is_set()
        signal.raise_signal(signal.SIGINT)  # no KeyboardInterrupt here
        assert stop.is_set()
        sys.unraisablehook(
            SimpleNamespace(exc_value=KeyboardInterrupt())
        )  # polars' "Exception ignored": dropped
    assert signal.getsignal(signal.SIGINT) is before and sys.unraisablehook is hook


def test_ctrl_c_in_any_other_command_is_one_line_and_130(monkeypatch, capsys):
    from workbench.cli import common
    from workbench.cli.run import main

    def interrupted(_args):
        raise KeyboardInterrupt

    monkeypatch.setitem(common.COMMANDS, "presets", interrupted)
    assert main(["presets"]) == 130
    assert capsys.readouterr().err == "workbench: interrupted\n"
