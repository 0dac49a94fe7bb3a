"""Helpers the test modules share (not a test module): where the presets are, the CLI in a child process,
an app on presets, waiting for a TUI state, a scenario with some values changed, a user's own scenario
file, a free port.

Imported as `from helpers import ...` (pytest puts tests/ on the path, as for fuzzing.py). Textual is
imported only by the helpers that build an app, so the model's tests stay quick to start.
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.store import files

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from workbench.tui.app import WorkbenchApp

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "presets"
# Frozen version-1 copies of two presets (as shipped at 3ce3fdd, every option live from month 1): the
# tests that hold these scenarios' figures use them, so the shipped presets can carry go-live months and
# rollouts (docs/model.md section 6) without moving every figure those tests check.
V1_FIXTURES = ROOT / "tests" / "v1_figures"
STARTER = V1_FIXTURES / "starter.toml"
LOAN = V1_FIXTURES / "loan-underwriting-100k.toml"

# The JSON report's keys the contract names (docs/model.md section 3), by where they stand.
REPORT_KEYS = {
    "top": (
        "schema_version",
        "name",
        "horizon_months",
        "baseline",
        "options",
        "ladder",
        "recommendation",
        "risks",
    ),
    "option": (
        "name",
        "monthly_total",
        "cumulative",
        "components",
        "tco",
        "cost_per_request",
        "cost_per_mtok",
        "breakeven_month",
        "breakeven_requests_per_day",
        "gpus_at_horizon",
    ),
    "ladder step": ("step", "title", "verdict", "reasons"),
    "recommendation": ("step", "option", "why"),
    "risk": ("id", "title", "flagged", "mitigated", "why"),
}


# The keys MODEL.md section 6 adds to section 3's report (every report carries them, version 1 included).
V2_REPORT_KEYS = {
    "option": ("pretrain_gpu_hours", "pretrain_days"),
    "recommendation": ("meets_requirements", "misses"),
}


def changed(data: dict, changes: Mapping[str, object]) -> dict:
    """A copy of a scenario's data with dotted keys set: {"workload.requests_per_day": 0, "options.1.gpu":
    "H100"} (a number indexes a list; a missing table is created)."""
    out = copy.deepcopy(data)
    for dotted, value in changes.items():
        *head, last = dotted.split(".")
        box = out
        for part in head:
            box = box[int(part)] if part.isdigit() else box.setdefault(part, {})
        box[last] = value
    return out


def make_app(*names: str) -> WorkbenchApp:
    """The TUI with one tab per named preset, each opened from its file as `workbench FILE...` would."""
    from workbench.session.document import Document
    from workbench.tui.app import WorkbenchApp

    return WorkbenchApp([Document(files.load(PRESETS / f"{n}.toml"), PRESETS / f"{n}.toml") for n in names])


def screen_lines(app) -> list[str]:
    """The screen's lines of text as a person reads them (the frame the app would draw now)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def crop(lines: list[str], region) -> list[str]:
    """The part of the screen's lines inside a widget's region."""
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]


async def until(
    pilot: Pilot, condition: Callable[[], object], tries: int = 500, delay: float | None = None
) -> None:
    """Wait for the app to settle into a state (tabs mount and workers finish asynchronously), then
    assert it. The bound is a number of pauses, not a time: a loaded CI machine needs more frames than a
    laptop, hence the generous count. `delay` waits that many seconds a pause, for timers."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(delay)
    assert condition()


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`python -m workbench ARGS` in a child process (text output captured); `env` is added to ours."""
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env} if env else None,
        cwd=cwd,
    )


def user_file(folder: Path, name: str = "mine.toml") -> Path:
    """The starter preset saved as a user's own file in `folder`."""
    target = folder / name
    files.save(files.load(PRESETS / "starter.toml"), target)
    return target


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(log: Path, env: Mapping[str, str], *args: str) -> tuple[subprocess.Popen, int]:
    """`workbench serve` on a free loopback port, in its own process group, output to `log`; returns once
    it listens (a bounded number of polls), or fails the test with the end of its output."""
    import time

    import pytest

    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workbench", "serve", "--port", str(port), *args],
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    for _ in range(400):  # x 0.1 s
        output = log.read_text(errors="replace")
        if proc.poll() is not None:
            pytest.fail(f"workbench serve exited: {output[-2000:]}")
        if "workbench serve: open" in output:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return proc, port
            except OSError:
                pass
        time.sleep(0.1)
    pytest.fail(
        f"workbench serve did not listen on 127.0.0.1:{port}: {log.read_text(errors='replace')[-2000:]}"
    )


def proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first, then ppid, pgrp, ...: proc(5)
    numbering less 3), or None when the process has no entry any more."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return data[data.rindex(")") + 2 :].split()


async def process_ended(proc: subprocess.Popen, tries: int, poll: float = 0.1) -> bool:
    """Whether `proc` ended within `tries` polls (a bound on a count, not a timing assertion)."""
    import asyncio

    for _ in range(tries):
        if proc.poll() is not None:
            return True
        await asyncio.sleep(poll)
    return proc.poll() is not None
