"""The workbench and the floor app (benchmarks/floor.py) driven from outside, on pseudo-terminals, as a
terminal sees them: keys written to the terminal, the app's bytes read back.

edit      the Enter that commits a typed volume in the input table, written to the terminal, to the moment
          the first option's new TCO and average-per-month figures have both been read back (the first
          frame carrying the new figures). Both apps run side by side for the whole run and are edited in
          turn (workbench, floor, floor, workbench, ...), so a burst of load falls on both.
settled   the same Enter to the last byte the edit causes (nothing more written for QUIET seconds), minus
          that wait.
cold      the process spawned to the first frame with figures read back (the TCO of the first option),
          alternating between the two apps, a new process each time.

Each edit starts from a quiet screen: the editor is opened and the value typed, and nothing has been
written for QUIET seconds before the timed Enter. The edited value alternates between 1.25x and 1.5x the
scenario's volume, so every edit changes every figure.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))  # the pseudo-terminal driver, shared with the key-burst test
from ptydriver import PtyApp  # noqa: E402

VENV_BIN = Path(sys.executable).parent
QUIET = 0.25  # seconds without a byte: the screen is at rest
SIZE = (160, 45)


# --- the two apps ------------------------------------------------------------------------------------------


@dataclass
class Subject:
    """One app as the benchmark drives it: how to start it, when its figures are on screen, how to put
    the cursor on the volume, and which texts show that an edit's new figures were painted."""

    name: str
    argv: list[str]
    volume: float
    first_figures: Callable[[], list[bytes]]  # on screen once the app has started
    figures_after: Callable[[float], list[bytes]]  # on screen once an edit to this volume is painted
    to_volume: Callable[[PtyApp], None] = lambda app: None
    edits: dict[str, list[float]] = field(default_factory=lambda: {"first": [], "settled": []})
    cold: list[float] = field(default_factory=list)


def workbench_subject(files: list[Path], name: str = "workbench") -> Subject:
    """The workbench on `files` (one tab each), edited in the first tab's Workload grid."""
    from workbench.model import fmt
    from workbench.model.engine import compute
    from workbench.store import files as store

    first = store.load(files[0])
    volume = first.workload.requests_per_day or 1000.0

    def figures(v: float) -> list[bytes]:
        data = first.model_dump(exclude_none=True)
        data["workload"]["requests_per_day"] = v
        s = store.from_dict(data)
        o = compute(s).options[0]
        return [fmt.money(o.tco, s.currency).encode(), fmt.money(o.average_monthly, s.currency).encode()]

    def to_volume(app: PtyApp) -> None:
        app.send("W")  # the Workload grid, focused (built first if the build has not reached it)
        app.drain(1.0)
        for _ in range(12):  # down to the volume: its help text shows on the status line
            app.buffer = b""
            app.send("\x1b[B")
            app.drain(QUIET)
            if b"Requests per day in month 1" not in app.buffer:
                app.drain(1.0)  # a busy app may paint the move later: never press past the row
            if b"Requests per day in month 1" in app.buffer:
                return
        raise RuntimeError("the workbench's cursor never reached requests per day")

    return Subject(
        name,
        [str(VENV_BIN / "workbench"), *map(str, files)],
        volume,
        lambda: figures(volume)[:1],
        figures,
        to_volume,
    )


def floor_subject(inputs: int, options: int, months: int, volume: float, name: str = "floor") -> Subject:
    sys.path.insert(0, str(HERE))
    import floor

    argv = [sys.executable, str(HERE / "floor.py")]
    argv += ["--inputs", str(inputs), "--options", str(options), "--months", str(months)]
    argv += ["--volume", str(volume)]
    return Subject(
        name,
        argv,
        volume,
        lambda: [floor.tco_text(volume).encode()],
        lambda v: [floor.tco_text(v).encode(), floor.money(floor.figure(v, 1, 0)).encode()],
    )


def model_floor_subject(inputs: int, months: int, scenario: Path, workbench: Subject) -> Subject:
    """The floor app that first reads, validates and computes `scenario` with the workbench's model and
    shows its figures (floor.py --scenario): the bound on the workbench's cold start. Cold starts only."""
    from workbench.store import files as store

    options = len(store.load(scenario).options)
    fl = floor_subject(inputs, options, months, workbench.volume, "floor_with_model")
    fl.argv += ["--scenario", str(scenario)]
    fl.first_figures = workbench.first_figures
    return fl


def _has_all(texts: list[bytes]) -> Callable[[bytes], bool]:
    return lambda buf: all(t in buf for t in texts)


# --- edits --------------------------------------------------------------------------------------------------


def _fresh_state(env: dict) -> dict:
    """`env` with a state folder of its own: an app the benchmark closes with unsaved edits leaves
    recovery copies there (as it should), and the next app started must not be offered them."""
    import tempfile

    folder = env.get("WORKBENCH_SAVES")  # run.py's temporary folder, removed at the end of the run
    return dict(env, XDG_STATE_HOME=tempfile.mkdtemp(prefix="state-", dir=folder))


def _start(subject: Subject, env: dict) -> PtyApp:
    app = PtyApp(subject.argv, *SIZE, env=_fresh_state(env))
    if app.read_until(_has_all(subject.first_figures())) is None:
        app.close()
        raise RuntimeError(f"{subject.name} never showed its figures: {app.buffer[-400:]!r}")
    # Edits are timed in the steady state: the workbench builds its hidden tabs and panes after the
    # first frame; wait until nothing has been painted for a second.
    app.drain(1.0, timeout=60)
    try:
        subject.to_volume(app)
    except BaseException:
        app.close()  # never leave an app running behind a failed start
        raise
    return app


def _edit(app: PtyApp, subject: Subject, value: float) -> tuple[float, float]:
    """One edit from a quiet screen; (to the first frame with the new figures, to the last byte) in ms."""
    app.send("\r")  # open the editor on the cell
    app.drain(QUIET)
    app.send("\x15")  # ctrl+u clears the editor
    app.drain(QUIET)
    app.send(f"{value:g}")
    app.drain(QUIET)
    app.buffer = b""
    t0 = time.perf_counter()
    app.send("\r")
    if app.read_until(_has_all(subject.figures_after(value)), timeout=30) is None:
        raise RuntimeError(f"{subject.name}: the edit to {value:g} never showed: {app.buffer[-400:]!r}")
    first = app.last_byte - t0
    app.drain(QUIET)
    return first * 1e3, (app.last_byte - t0) * 1e3


def edits(subjects: list[Subject], n: int, env: dict, warmup: int = 2) -> None:
    """`n` timed edits of each subject, interleaved (ABBA...), after `warmup` untimed ones each."""
    apps: list[PtyApp] = []
    try:
        for s in subjects:
            apps.append(_start(s, env))
        for i in range(n + warmup):
            order = list(zip(subjects, apps, strict=True))
            if i % 2:
                order.reverse()
            for subject, app in order:
                value = subject.volume * (1.25 if i % 2 == 0 else 1.5)
                first, settled = _edit(app, subject, value)
                if i >= warmup:
                    subject.edits["first"].append(first)
                    subject.edits["settled"].append(settled)
    finally:
        for app in apps:
            app.close()


def cold(subjects: list[Subject], n: int, env: dict) -> None:
    """`n` cold starts of each subject, alternating, a new process each; seconds to the first figures."""
    for i in range(n):
        order = subjects if i % 2 == 0 else subjects[::-1]
        for subject in order:
            app = PtyApp(subject.argv, *SIZE, env=_fresh_state(env))
            try:
                t = app.read_until(_has_all(subject.first_figures()))
            finally:
                app.close()
            if t is None:
                raise RuntimeError(f"{subject.name} never showed its figures on a cold start")
            subject.cold.append(t)
