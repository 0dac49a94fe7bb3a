"""How fast the workbench answers: `python benchmarks/run.py [--quick] [--json]`.

Prints medians (p50) and 95th percentiles (p95) over repeated runs, for every preset and for a large
synthetic scenario (12 options, 120 months). Nothing here fails on time: the figures are printed, and
benchmarks/README.md records them with the machine, the load and the date.

What each figure spans (see also benchmarks/README.md):

engine_ms            `report.analyze(scenario)`: the engine (monthly frame, summary, breakeven volumes),
                     the ladder and the risk rules; the scenario is already parsed.
edit_to_repaint_ms   in a headless `App.run_test(size=(120, 40))`: from the Enter key event that commits a
                     typed value in the Workload grid (posted to the app's driver) to the end of the first
                     screen update painted after the visible pane's figures were drawn anew (the results
                     table, the ladder text or the cumulative plot). The end is time-stamped inside the app's
                     `_display` hook, after the compositor has rendered the update and it has been turned
                     into the terminal's byte string (what a terminal driver would write); the headless
                     driver discards the bytes. The benchmark waits on that hook, not on sleeps. Edits
                     alternate between two volumes, with the Results, Ladder or Plots pane visible in turn.
                     `settled` is the same span to the last screen update the edit causes (footer
                     rebuilds after the focus returns to the grid, layout passes).
edit_ratio           from outside, as a terminal sees it (benchmarks/terminal.py): the workbench on the starter
                     preset and the floor app (benchmarks/floor.py: a bare Textual app of the same shape,
                     an input table, a results table and a monthly table of the same sizes, an edit bar),
                     each on a 160x45 pseudo-terminal, edited in turn; the Enter that commits a typed volume
                     written to the terminal, to the first option's new TCO and average read back. p50 and
                     p95 of the workbench over the same percentile of the floor. Also against the floor
                     without its monthly table (`against_floor_2_tables`), for reference.
cold_ratio           the same two apps spawned in turn, a new process each: to the first option's TCO read
                     back. `cold_start_s` is the workbench's part; `bound` the floor app that first reads,
                     validates and computes the scenario with the workbench's model (floor.py --scenario).
scale                edit_ratio and cold_ratio for the starter preset, a scenario of 40 options over 120
                     months (floor of the same shape) and 12 open tabs (the starter in front).
monte_carlo_s        the Monte Carlo batch of workbench/model/montecarlo.py on the starter preset with the
                     uncertainty ranges below, 10,000 and 100,000 draws (null until that module exists).
python_baseline_ratio  the same draws computed by benchmarks/baseline.py (a plain-Python loop over draws,
                     options and months), its time divided by the engine's, both timed in this run.
sweep_ms             `sweep.volume_sweep` over 1,000 volumes (1 .. 1e9 requests/day), breakeven volumes
                     already known (as the plots pane calls it).
rss_mb               peak resident memory (VmHWM) of the `workbench` process on a pseudo-terminal with four
                     presets open as tabs, after every tab and its result panes have been shown.
usage                `usagelog.summarize` on a 10-million-row spend log (2 million with --quick), each run a
                     fresh process: seconds, rows/s and peak memory (VmHWM), against a plain-Python `csv`
                     loop doing the same sums on the same file in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import baseline  # noqa: E402
import numpy as np  # noqa: E402
import synthetic  # noqa: E402
import terminal  # noqa: E402

from workbench.model.scenario import Scenario  # noqa: E402
from workbench.store import files  # noqa: E402

PRESETS = ROOT / "presets"
SYNTHETIC = "synthetic-12x120"
LARGE = "synthetic-40x120"
VENV_BIN = Path(sys.executable).parent

# The Monte Carlo benchmark runs on the starter preset with its own [uncertainty] ranges (these, if the
# preset ever has none).
MC_PRESET = "starter"
MC_FALLBACK_UNCERTAINTY: dict[str, dict] = {
    "workload.requests_per_day": {"low": 8000, "high": 80000, "dist": "lognormal"},
    "market.api_price_change_per_year": {"low": -0.5, "high": 0.0, "dist": "triangular", "mode": -0.2},
    "overheads.engineer_annual_cost": {"low": 200000, "high": 400000},
}


# --- statistics -------------------------------------------------------------------------------------------


def stats(samples: list[float], digits: int = 3) -> dict:
    xs = np.asarray(samples, dtype=float)
    return {
        "p50": round(float(np.percentile(xs, 50)), digits),
        "p95": round(float(np.percentile(xs, 95)), digits),
        "n": len(samples),
    }


def timed(fn: Callable[[], object], repeat: int, warmup: int = 2, scale: float = 1e3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * scale)
    return out


def scenarios() -> dict[str, Scenario]:
    out = {p.stem: files.load(p) for p in sorted(PRESETS.glob("*.toml"))}
    out[SYNTHETIC] = synthetic.large_scenario(12, 120)
    out[LARGE] = synthetic.large_scenario(40, 120)  # issue 15's scale
    return out


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- engine and sweep -------------------------------------------------------------------------------------


def bench_engine(scns: dict[str, Scenario], repeat: int) -> dict:
    from workbench.model.report import analyze

    return {name: stats(timed(lambda s=s: analyze(s), repeat)) for name, s in scns.items()}


def bench_sweep(scns: dict[str, Scenario], repeat: int) -> dict:
    from workbench.model.engine import compute
    from workbench.model.sweep import volume_sweep

    vols = np.logspace(0, 9, 1000)
    out = {}
    for name, s in scns.items():
        r = compute(s)
        out[name] = stats(timed(lambda s=s, r=r: volume_sweep(s, vols, results=r), repeat))
    return out


# --- Monte Carlo ------------------------------------------------------------------------------------------


def mc_scenario(scns: dict[str, Scenario]) -> Scenario:
    s = scns[MC_PRESET]
    if getattr(s, "uncertainty", None):
        return s
    from workbench.model.scenario import validate

    return validate({**s.model_dump(exclude_none=True), "uncertainty": MC_FALLBACK_UNCERTAINTY})


def montecarlo_runner(s: Scenario) -> Callable[[int, int], object] | None:
    """A function (draws, seed) -> result that runs the engine's Monte Carlo, or None when
    workbench/model/montecarlo.py does not exist: the one place that knows its interface."""
    try:
        from workbench.model import montecarlo
    except ImportError:
        return None
    return lambda draws, seed: montecarlo.simulate(s, draws, seed)


def bench_monte_carlo(
    scns: dict[str, Scenario], sizes: list[int], repeat: int, baseline_sizes: list[int]
) -> dict:
    out: dict = {"monte_carlo_s": None, "python_baseline_ratio": None, "python_baseline_s": None}
    try:
        s = mc_scenario(scns)
    except Exception as exc:  # the schema has no [uncertainty] yet
        out["note"] = f"no Monte Carlo scenario: {exc}"
        return out
    run = montecarlo_runner(s)
    if run is None:
        out["note"] = "workbench/model/montecarlo.py does not exist yet: no engine Monte Carlo to time"
        return out
    mc = {}
    for n in sizes:
        reps = repeat if n <= 10000 else max(2, repeat // 2)
        mc[str(n)] = stats(timed(lambda n=n: run(n, 1), reps, warmup=1, scale=1.0), digits=4)
    out["monte_carlo_s"] = mc
    base_s, ratio = {}, {}
    for n in baseline_sizes:
        d = s.model_dump()
        gc.collect()
        t = time.perf_counter()
        baseline.monte_carlo(d, n, seed=1)
        base_s[str(n)] = round(time.perf_counter() - t, 3)
        ratio[str(n)] = round(base_s[str(n)] / mc[str(n)]["p50"], 1)
    out["python_baseline_s"] = base_s
    out["python_baseline_ratio"] = ratio
    out["ranges"] = {p: r.model_dump() for p, r in s.uncertainty.items()}
    return out


# --- edit to repaint (headless app) -----------------------------------------------------------------------


PANE_WIDGETS = {"results": "#results-table", "ladder": "#ladder-text", "plots": "#plot-cumulative"}


async def _edit_to_repaint(s: Scenario, path: Path | None, edits: int, panes: tuple[str, ...]) -> dict:
    from textual import events

    from workbench.session.document import Document
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.grids.grid import FieldGrid
    from workbench.tui.panes.tables import ResultsTable

    doc = Document(s, path)
    app = WorkbenchApp([doc])
    frames: list[float] = []
    frame_cpu: list[float] = []
    frame_seen = asyncio.Event()
    first: dict[str, list[float]] = {p: [] for p in panes}
    cpu: list[float] = []
    settled: dict[str, list[float]] = {p: [] for p in panes}
    async with app.run_test(size=(120, 40)) as pilot:
        display = app._display

        def hook(screen, renderable) -> None:
            display(screen, renderable)
            if renderable is not None:
                renderable.render_segments(app.console)  # what a terminal driver would write
                frames.append(time.perf_counter())
                frame_cpu.append(time.process_time())
                frame_seen.set()

        app._display = hook
        view = app.active_view()
        refreshed: list[float] = []
        refresh_all = view.refresh_all

        def timed_refresh(*args, **kwargs) -> None:
            refresh_all(*args, **kwargs)
            refreshed.append(time.perf_counter())

        view.refresh_all = timed_refresh
        # The widget each output pane shows its figures in: the edit counts as repainted in the first
        # frame after that widget rendered the new analysis (not merely the first frame after the edit,
        # which may carry only the closed editor and the grid's new value).
        painted: dict[str, list[float]] = {}
        for pane_id, selector in PANE_WIDGETS.items():
            widget = view.query_one(selector)
            painted[pane_id] = []

            def timed_render(crop, _render=widget.render_lines, _log=painted[pane_id]):
                lines = _render(crop)
                _log.append(time.perf_counter())
                return lines

            widget.render_lines = timed_render
        # The steady state: the panes the first frame did not show are built (they are, headless, before
        # the first key) and the start's focus moves are over.
        while any(v.unbuilt for v in app.views()):
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        view.action_pane("workload")
        await pilot.pause()
        grid = view.query_one("#grid-workload", FieldGrid)
        grid.focus()
        await pilot.pause()
        grid.move_cursor(row=grid._rows.index(("workload", "requests_per_day")))
        await pilot.pause()
        volume = s.workload.requests_per_day or 1000.0
        outputs = view.query_one("#outputs")
        for i in range(edits + 2):  # the first two edits warm caches up and are not counted
            pane = panes[i % len(panes)]
            outputs.active = pane
            await pilot.pause()
            for _ in range(5):  # open the editor on the cell (again, if a start-up focus move took it)
                if app.focused is not grid:
                    grid.focus()
                    grid.move_cursor(row=grid._rows.index(("workload", "requests_per_day")))
                    await pilot.pause()
                await pilot.press("enter")
                if getattr(app.focused, "id", None) == "edit-input":
                    break
            value = volume * (1.25 if i % 2 == 0 else 1.5)  # never the saved value: the tab stays "unsaved"
            view.query_one("#edit-input").value = f"{value:g}"
            await pilot.pause()
            await pilot.pause()
            # Start from a quiet screen, as a person does: the pane switch and the opened editor cause
            # repaints and layout passes of their own for a few frames; wait until none comes for 0.1 s.
            while True:
                seen = len(frames)
                await asyncio.sleep(0.1)
                if len(frames) == seen:
                    break
            refreshed.clear()
            frame_seen.clear()
            gc.collect()
            t0 = time.perf_counter()
            c0 = time.process_time()
            app.post_message(events.Key("enter", "\r"))  # commit, as the Enter key does
            first_frame = None
            deadline = t0 + 60
            while first_frame is None:
                await asyncio.wait_for(frame_seen.wait(), 60)
                frame_seen.clear()
                # Several frames may have gone by before this coroutine runs again: take the first one
                # that ends after the pane's widget drew the new figures, not the latest.
                drawn = [t for t in painted[pane] if refreshed and t > refreshed[-1]]
                after = [k for k, f in enumerate(frames) if drawn and f > drawn[0]]
                if after:
                    first_frame = frames[after[0]]
                    first_cpu = frame_cpu[after[0]]
                elif time.perf_counter() > deadline:
                    raise RuntimeError(f"no repaint after the edit (focus on {app.focused!r})")
            # Settled: no more screen updates pending once the app is idle.
            await pilot.pause()
            await pilot.pause()
            last = frames[-1]
            if view.doc.scenario.workload.requests_per_day != value:
                raise RuntimeError("the edit was not committed")
            shown = view.query_one(ResultsTable)._analysis
            if shown is None or shown.scenario is not view.doc.scenario:
                raise RuntimeError("the results table does not show the edited scenario")
            if i >= 2:
                first[pane].append((first_frame - t0) * 1e3)
                cpu.append((first_cpu - c0) * 1e3)
                settled[pane].append((last - t0) * 1e3)
    every = [x for p in panes for x in first[p]]
    every_settled = [x for p in panes for x in settled[p]]
    return {
        **stats(every, 1),
        "settled": stats(every_settled, 1),
        "cpu": stats(cpu, 1),
        "by_pane": {p: stats(first[p], 1) for p in panes if first[p]},
    }


def bench_edit_to_repaint(scns: dict[str, Scenario], edits: int, budget_s: float = 150.0) -> dict:
    out = {}
    start = time.perf_counter()
    for name, s in scns.items():
        if name == LARGE:  # measured on the pseudo-terminal (scale); headless it outlasts the budget
            continue
        path = PRESETS / f"{name}.toml" if name not in (SYNTHETIC, LARGE) else None
        n = edits if time.perf_counter() - start < budget_s else 3  # a loaded machine: fewer samples
        out[name] = asyncio.run(_edit_to_repaint(s, path, n, ("results", "ladder", "plots")))
    return out


# --- processes on a pseudo-terminal ------------------------------------------------------------------------


def PtyApp(args: list[str], cols: int = 120, rows: int = 40) -> terminal.PtyApp:  # noqa: N802
    """The `workbench` command on a pseudo-terminal (benchmarks/terminal.py)."""
    return terminal.PtyApp([str(VENV_BIN / "workbench"), *args], cols, rows)


def _first_frame(buf: bytes) -> bool:
    # The tab strip of the input half and of the result half: painted in the first frame.
    return b"Pricing" in buf and b"Results" in buf and b"Workload" in buf


def _results_frame(buf: bytes) -> bool:
    # "/request" is a row or column label of the results table once an analysis is shown; "$" figures too.
    return _first_frame(buf) and b"/request" in buf and b"$" in buf


# --- against the floor: the workbench and a bare Textual app on pseudo-terminals (benchmarks/terminal.py) --


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("nan")


def _against_floor(
    files_: list[Path], options: int, months: int, edits: int, colds: int, env: dict, two_tables: bool = False
) -> dict:
    """Edits and cold starts of the workbench on `files_` (the first tab edited) against a floor app of
    the same shape (the first scenario's options and months), interleaved. With `two_tables`, also against
    the floor without its monthly table (the input and results tables the issue names), for reference."""
    wb = terminal.workbench_subject(files_)
    fl = terminal.floor_subject(FLOOR_INPUTS, options, months, wb.volume)
    subjects = [wb, fl]
    if two_tables:
        subjects.append(terminal.floor_subject(FLOOR_INPUTS, options, 0, wb.volume, "floor_2_tables"))
    terminal.edits(subjects, edits, env)
    if two_tables:  # and the bound: the floor that first reads and computes the scenario with the model
        subjects.append(terminal.model_floor_subject(FLOOR_INPUTS, months, files_[0], wb))
    terminal.cold(subjects, colds, env)
    w, f = stats(wb.edits["first"], 1), stats(fl.edits["first"], 1)
    cw, cf = stats(wb.cold, 3), stats(fl.cold, 3)
    out = {
        "tabs": len(files_),
        "options": options,
        "months": months,
        "edit_ratio": {"p50": _ratio(w["p50"], f["p50"]), "p95": _ratio(w["p95"], f["p95"])},
        "edit_ms": {s.name: stats(s.edits["first"], 1) for s in subjects if s.edits["first"]},
        "settled_ms": {s.name: stats(s.edits["settled"], 1) for s in subjects if s.edits["settled"]},
        "cold_ratio": _ratio(cw["p50"], cf["p50"]),
        "cold_s": {s.name: stats(s.cold, 3) for s in subjects},
    }
    if two_tables:
        f2, c2 = out["edit_ms"]["floor_2_tables"], out["cold_s"]["floor_2_tables"]
        out["against_floor_2_tables"] = {
            "edit_ratio": {"p50": _ratio(w["p50"], f2["p50"]), "p95": _ratio(w["p95"], f2["p95"])},
            "cold_ratio": _ratio(cw["p50"], c2["p50"]),
        }
        bound = out["cold_s"]["floor_with_model"]
        out["cold_bound"] = {"floor_with_model_s": bound, "ratio": _ratio(bound["p50"], cf["p50"])}
    return out


FLOOR_INPUTS = 25  # rows of the floor's input table: about the Workload grid's


def bench_terminal(scale: bool, edits: int, colds: int, folder: Path) -> dict:
    """edit_ratio and cold_ratio on the starter preset at 160x45; with `scale`, the same for a scenario
    of 40 options over 120 months and for 12 open tabs."""
    env = dict(os.environ)  # main() points the state, config and data folders into `folder`
    starter = files.load(PRESETS / "starter.toml")
    out = {
        "size": "x".join(map(str, terminal.SIZE)),
        "starter": _against_floor(
            [PRESETS / "starter.toml"],
            len(starter.options),
            starter.horizon_months,
            edits,
            colds,
            env,
            two_tables=True,
        ),
    }
    if scale:
        big = folder / "synthetic-40x120.toml"
        big.write_text(files.dump_text(synthetic.large_scenario(40, 120)))
        out["synthetic-40x120"] = _against_floor([big], 40, 120, max(4, edits // 2), max(2, colds // 2), env)
        presets = sorted(PRESETS.glob("*.toml"))
        tabs = [PRESETS / "starter.toml", *[p for p in presets if p.stem != "starter"]]
        tabs = (tabs * 2)[:12]
        out["12-tabs"] = _against_floor(
            tabs, len(starter.options), starter.horizon_months, max(4, edits // 2), max(2, colds // 2), env
        )
    return out


IMPORTS = (
    "numpy",
    "polars",
    "pydantic",
    "workbench.model.scenario",
    "workbench.model.report",
    "textual.app",
    "workbench.tui.app",
)


def bench_imports(runs: int) -> dict:
    """Import time of the heavy dependencies, each in a fresh interpreter (what bounds cold_start_s)."""
    code = (
        "import sys, time; t = time.perf_counter(); __import__(sys.argv[1]); print(time.perf_counter() - t)"
    )
    out = {}
    for name in ("(interpreter start)", *IMPORTS):
        samples = []
        for _ in range(runs):
            if name.startswith("("):
                t = time.perf_counter()
                subprocess.run([sys.executable, "-c", "pass"], check=True)
                samples.append((time.perf_counter() - t) * 1e3)
            else:
                done = subprocess.run(
                    [sys.executable, "-c", code, name], capture_output=True, text=True, cwd=ROOT
                )
                samples.append(float(done.stdout.strip()) * 1e3)
        out[name] = stats(samples, 1)
    return out


def bench_rss() -> dict | None:
    tabs = ["starter", "loan-underwriting-100k", "two-million-tokens-a-day", "travel-support-bot"]
    app = PtyApp([f"presets/{t}.toml" for t in tabs])
    try:
        if app.read_until(_results_frame) is None:
            return None
        app.drain()
        for _ in tabs:
            for key in ("\x1b[15~", "\x1b[17~", "\x1b[18~", "\x1b[19~"):  # F5..F8: every result pane
                app.send(key)
                app.drain(0.3)
            app.send(">")  # next tab
            app.drain(0.3)
        app.send("m")  # the Compare tab
        app.drain()
        status = Path(f"/proc/{app.proc.pid}/status").read_text()
    finally:
        app.close()
    values = {
        line.split(":")[0]: round(int(line.split()[1]) / 1024, 1)
        for line in status.splitlines()
        if line.startswith(("VmHWM:", "VmRSS:", "RssAnon:", "RssFile:"))
    }
    # RssFile is mostly the pages of polars' 178 MB shared library the engine has touched: shared with
    # every other process using it, and dropped by the kernel under memory pressure.
    return {
        "peak": values.get("VmHWM"),
        "rss": values.get("VmRSS"),
        "anon": values.get("RssAnon"),
        "file": values.get("RssFile"),
    }


# --- usage logs ------------------------------------------------------------------------------------------
# `workbench usage` on a large LiteLLM-shaped spend log (tests/usage_logs/make_samples.write_large: one
# request a row, five columns, about 60 bytes a row), written once into the temporary folder and kept for
# later runs. Each figure is a fresh process: `usagelog.summarize` (polars, streaming) against a plain-
# Python `csv` loop doing the same sums on the same file (per hour and model: requests, tokens, spend;
# histograms of tokens per request; rows that do not parse counted), both timed in this run. Peak memory
# is the child's VmHWM (it starts afresh at exec; ru_maxrss would keep the mark of the forked parent).

USAGE_ROWS = 10_000_000
USAGE_ROWS_QUICK = 2_000_000

_USAGE_PEAK = """
import resource
def peak_mb():
    try:
        with open('/proc/self/status') as fh:
            return int(fh.read().split('VmHWM:')[1].split()[0]) / 1024
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_USAGE_POLARS = (
    _USAGE_PEAK
    + """
import json, sys, time
start = time.perf_counter()
from workbench.store import usagelog
s = usagelog.summarize([sys.argv[1]])
print(json.dumps({"s": time.perf_counter() - start, "rows": s.rows, "peak_mb": peak_mb(),
                  "requests_per_day": s.requests_per_day}))
"""
)

_USAGE_PYTHON = (
    _USAGE_PEAK
    + """
import csv, json, sys, time
from collections import Counter
from datetime import datetime
start = time.perf_counter()
hourly, hist_in, hist_out = {}, Counter(), Counter()
rows = bad = 0
first = last = None
with open(sys.argv[1], newline="") as fh:
    reader = csv.reader(fh)
    header = next(reader)
    t, m, i, o, sp = (header.index(k) for k in ("startTime", "model", "prompt_tokens", "completion_tokens", "spend"))
    for row in reader:
        try:
            when = datetime.fromisoformat(row[t])
            tin, tout, spend = float(row[i]), float(row[o]), float(row[sp])
        except (ValueError, IndexError):
            bad += 1
            continue
        rows += 1
        key = (when.replace(minute=0, second=0, microsecond=0), row[m])
        acc = hourly.get(key)
        if acc is None:
            acc = hourly[key] = [0, 0.0, 0.0, 0.0]
        acc[0] += 1
        acc[1] += tin
        acc[2] += tout
        acc[3] += spend
        hist_in[tin] += 1
        hist_out[tout] += 1
        first = when if first is None or when < first else first
        last = when if last is None or when > last else last
print(json.dumps({"s": time.perf_counter() - start, "rows": rows, "peak_mb": peak_mb()}))
"""
)


def usage_log(rows: int) -> Path:
    """The benchmark's log of `rows` rows, written once into the temporary folder."""
    import importlib.util
    import tempfile

    folder = Path(tempfile.gettempdir()) / "workbench-bench-usage"
    folder.mkdir(exist_ok=True)
    path = folder / f"spend-log-{rows}.csv"
    if not path.exists():
        spec = importlib.util.spec_from_file_location(
            "make_samples", ROOT / "tests/usage_logs/make_samples.py"
        )
        assert spec and spec.loader
        gen = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(gen)
        part = path.with_suffix(".part")
        gen.write_large(part, rows)
        part.replace(path)
    return path


def _usage_child(code: str, path: Path) -> dict:
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "failed")
    return json.loads(r.stdout)


def bench_usage(rows: int, repeat: int) -> dict:
    path = usage_log(rows)
    runs = [_usage_child(_USAGE_POLARS, path) for _ in range(repeat)]
    loop = _usage_child(_USAGE_PYTHON, path)
    seconds = [r["s"] for r in runs]
    p50 = float(np.percentile(seconds, 50))
    return {
        "rows": rows,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "summarize_s": stats(seconds, 2),
        "rows_per_s": round(rows / p50),
        "peak_mb": round(max(r["peak_mb"] for r in runs), 1),
        "python_csv_s": round(loop["s"], 2),
        "python_csv_rows_per_s": round(rows / loop["s"]),
        "python_csv_peak_mb": round(loop["peak_mb"], 1),
        "speedup": round(loop["s"] / p50, 1),
    }


# --- the machine -----------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    from importlib.metadata import version

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem / 1024 / 1024, 1),
        "python": platform.python_version(),
        "libraries": {p: version(p) for p in ("textual", "polars", "numpy", "pydantic", "rich", "plotext")},
        "platform": platform.platform(),
    }


# --- main ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (about a minute)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated subset: engine,sweep,edit,ratio,rss,mc,usage (default: all; cold = ratio)",
    )
    parser.add_argument("--scenarios", default="", help="comma-separated subset of scenario names")
    args = parser.parse_args(argv)
    only = (
        set(args.only.split(",")) if args.only else {"engine", "sweep", "edit", "ratio", "rss", "mc", "usage"}
    )
    log = (
        (lambda *a: print(*a, file=sys.stderr, flush=True))
        if args.json
        else (lambda *a: print(*a, flush=True))
    )

    started = time.perf_counter()
    import compileall
    import shutil
    import tempfile

    # An installed workbench (pipx, a wheel) has its modules compiled; a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 (this machine sets it) would compile every module at every start, and
    # the cold starts would time the compiler (0.3-0.4 s here). textual's are compiled by pip already.
    compileall.compile_dir(ROOT / "workbench", quiet=1)
    # The app writes recovery copies of unsaved tabs under saves/: keep the benchmark's out of the user's.
    saves = tempfile.mkdtemp(prefix="workbench-bench-saves-")
    os.environ["WORKBENCH_SAVES"] = saves
    # ... and its state (recovery copies: a run stopped midway must not leave copies the next run, or the
    # user, is offered), config and data, for the headless app in this process and the ones it spawns.
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        os.environ[var] = str(Path(saves) / var.lower())
    try:
        return _run(args, only, log, started)
    finally:
        shutil.rmtree(saves, ignore_errors=True)


def _run(args: argparse.Namespace, only: set[str], log: Callable, started: float) -> int:
    quick = args.quick
    result: dict = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine(),
        "load_average_start": load_average(),
    }
    scns = scenarios()
    if args.scenarios:
        scns = {k: v for k, v in scns.items() if k in args.scenarios.split(",")}
    if "engine" in only:
        log("engine_ms ...")
        result["engine_ms"] = bench_engine(scns, 10 if quick else 30)
    if "sweep" in only:
        log("sweep_ms ...")
        result["sweep_ms"] = bench_sweep(scns, 5 if quick else 15)
    if "mc" in only:
        log("monte_carlo_s ...")
        mc = bench_monte_carlo(
            scns, [10000, 100000], 3 if quick else 5, [10000] if quick else [10000, 100000]
        )
        result.update(mc)
    if "edit" in only:
        log("edit_to_repaint_ms ...")
        result["edit_to_repaint_ms"] = bench_edit_to_repaint(scns, 6 if quick else 12)
    if "cold" in only or "ratio" in only:
        log("edit_ratio, cold_ratio (workbench against the floor app, pseudo-terminals) ...")
        folder = Path(os.environ["WORKBENCH_SAVES"])
        against = bench_terminal(not quick, 6 if quick else 16, 3 if quick else 8, folder)
        starter = against["starter"]
        result["edit_ratio"] = {
            **starter["edit_ratio"],
            "scenario": "starter",
            "size": against["size"],
            "workbench_ms": starter["edit_ms"]["workbench"],
            "floor_ms": starter["edit_ms"]["floor"],
            "settled_ms": starter["settled_ms"],
            "against_floor_2_tables": starter["against_floor_2_tables"]["edit_ratio"],
        }
        result["cold_ratio"] = {
            "p50": starter["cold_ratio"],
            "scenario": "starter",
            "size": against["size"],
            "workbench_s": starter["cold_s"]["workbench"],
            "floor_s": starter["cold_s"]["floor"],
            "against_floor_2_tables": starter["against_floor_2_tables"]["cold_ratio"],
            "bound": starter["cold_bound"],
        }
        result["cold_start_s"] = starter["cold_s"]["workbench"]
        result["scale"] = {k: v for k, v in against.items() if k != "size"}
        late = time.perf_counter() - started > 400
        result["import_ms"] = bench_imports(2 if quick or late else 3)
    if "rss" in only:
        log("rss_mb ...")
        detail = bench_rss()
        result["rss_mb"] = detail["peak"] if detail else None
        result["rss_detail_mb"] = detail
    if "usage" in only:
        rows = USAGE_ROWS_QUICK if quick else USAGE_ROWS
        log(f"usage ({rows:,} rows) ...")
        result["usage"] = bench_usage(rows, 1 if quick else 3)
    result["load_average_end"] = load_average()
    result["wall_s"] = round(time.perf_counter() - started, 1)
    for key in (
        "engine_ms",
        "edit_to_repaint_ms",
        "cold_start_s",
        "edit_ratio",
        "cold_ratio",
        "monte_carlo_s",
        "sweep_ms",
        "python_baseline_ratio",
        "rss_mb",
    ):
        result.setdefault(key, None)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_tables(result)
    return 0


def print_tables(r: dict) -> None:
    m = r["machine"]
    print(f"\n{r['date']}  {m['cpu']}, {m['nproc']} CPUs, {m['ram_gb']} GB, Python {m['python']}")
    print(
        f"load average at start {r['load_average_start']}, at end {r['load_average_end']}; took {r['wall_s']} s\n"
    )

    def table(title: str, rows: dict | None, unit: str, extra: str | None = None) -> None:
        if not rows:
            return
        print(f"{title} ({unit})")
        for name, st in rows.items():
            line = f"  {name:<32} p50 {st['p50']:>9}  p95 {st['p95']:>9}  (n={st['n']})"
            if extra and st.get(extra):
                line += f"  {extra}: p50 {st[extra]['p50']} p95 {st[extra]['p95']}"
            print(line)
        print()

    table("engine_ms: analyze() = results, ladder, risks, breakeven volumes", r.get("engine_ms"), "ms")
    table("sweep_ms: 1,000-point volume sweep", r.get("sweep_ms"), "ms")
    table(
        "edit_to_repaint_ms: committed edit -> first repainted frame, 120x40",
        r.get("edit_to_repaint_ms"),
        "ms",
        "settled",
    )
    if r.get("edit_to_repaint_ms"):
        for name, st in r["edit_to_repaint_ms"].items():
            panes = ", ".join(f"{p} p50 {v['p50']} p95 {v['p95']}" for p, v in st["by_pane"].items())
            print(f"  {name:<32} {panes}")
        print()
    if r.get("edit_ratio"):
        e, c = r["edit_ratio"], r["cold_ratio"]
        print(f"against the floor app ({e['size']} pseudo-terminal, interleaved; ratio = workbench / floor)")
        print(
            f"  edit_ratio  p50 {e['p50']}  p95 {e['p95']}   workbench {e['workbench_ms']['p50']} / "
            f"{e['workbench_ms']['p95']} ms, floor {e['floor_ms']['p50']} / {e['floor_ms']['p95']} ms "
            f"(n={e['workbench_ms']['n']})"
        )
        print(
            f"  cold_ratio  p50 {c['p50']}          workbench {c['workbench_s']['p50']} / "
            f"{c['workbench_s']['p95']} s, floor {c['floor_s']['p50']} / {c['floor_s']['p95']} s "
            f"(n={c['workbench_s']['n']})"
        )
        print(
            f"  against the floor without its monthly table: edit_ratio p50 "
            f"{e['against_floor_2_tables']['p50']} p95 {e['against_floor_2_tables']['p95']}, "
            f"cold_ratio {c['against_floor_2_tables']}"
        )
        print(
            f"  cold bound: the floor that first reads and computes the scenario with the model: "
            f"{c['bound']['floor_with_model_s']['p50']} s, x{c['bound']['ratio']} the floor\n"
        )
        print("scale: work against time (p50; edit ms and cold s, workbench / floor)")
        for name, x in r.get("scale", {}).items():
            print(
                f"  {name:<18} {x['tabs']:>2} tabs {x['options']:>3} options {x['months']:>4} months   "
                f"edit {x['edit_ms']['workbench']['p50']} / {x['edit_ms']['floor']['p50']} "
                f"(x{x['edit_ratio']['p50']}, p95 x{x['edit_ratio']['p95']})   "
                f"cold {x['cold_s']['workbench']['p50']} / {x['cold_s']['floor']['p50']} (x{x['cold_ratio']})"
            )
        print()
    if r.get("import_ms"):
        print("import_ms (each in a fresh interpreter; workbench.tui.app includes all the others)")
        for name, st in r["import_ms"].items():
            print(f"  {name:<32} p50 {st['p50']:>7}  p95 {st['p95']:>7}")
        print()
    if r.get("monte_carlo_s"):
        table("monte_carlo_s (starter preset)", r["monte_carlo_s"], "s")
        print(
            f"python_baseline_s {r['python_baseline_s']}  python_baseline_ratio {r['python_baseline_ratio']}\n"
        )
    elif "note" in r:
        print(f"monte_carlo_s: null ({r['note']})\n")
    if r.get("usage"):
        u = r["usage"]
        print(
            f"usage: summarize of a {u['rows']:,}-row log ({u['file_mb']} MB): p50 {u['summarize_s']['p50']} s "
            f"(n={u['summarize_s']['n']}), {u['rows_per_s']:,} rows/s, peak {u['peak_mb']} MB; "
            f"plain-Python csv loop {u['python_csv_s']} s, {u['python_csv_rows_per_s']:,} rows/s, "
            f"peak {u['python_csv_peak_mb']} MB; {u['speedup']}x\n"
        )
    if r.get("rss_mb") is not None:
        d = r.get("rss_detail_mb") or {}
        print(
            f"rss_mb: {r['rss_mb']} MB peak with four tabs open (at the end: {d.get('rss')} MB = "
            f"{d.get('anon')} anonymous + {d.get('file')} file-backed)\n"
        )


if __name__ == "__main__":
    sys.exit(main())
