"""Nothing cut that holds a name or a number (issue 14, deliverable 3).

Every pane of the registry and every CLI table, at 80x24 and 160x45, on every preset: a figure of the JSON
report (an option's name, its money figures formatted as the screen formats them) must be found whole
on the screen, where a user would look for it, scrolling a pane as a user would.

"Whole" means on one line, or wrapped at spaces onto the next lines (a column header stacks the words at
the same column, prose continues at the start of the next line). One app per preset and size; the panes
are shown in turn with their keys and read from the rendered strips, cropped to the pane.
"""

from __future__ import annotations

import io
import os
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from helpers import crop, screen_lines

from workbench.model import fmt
from workbench.model.report import analyze, to_json_dict
from workbench.session.document import Document
from workbench.store import files

ROOT = Path(__file__).resolve().parent.parent
PRESETS = sorted((ROOT / "presets").glob("*.toml"))
SIZES = ((80, 24), (160, 45))
PREFIX = 12  # a name is "shown" on a pane once this much of it is: then it must be shown whole

Frame = list[str]


# --- finding a figure whole in rendered lines -----------------------------------------------------------
def _bounded(line: str, at: int, text: str) -> bool:
    """`text` at `at` is not part of a longer word or figure ("$1.2k" inside "$11.2k" is not it)."""
    before = line[at - 1] if at > 0 else " "
    after = line[at + len(text)] if at + len(text) < len(line) else " "
    return not (before.isalnum() or before in "$.,") and not (after.isalnum() or after in ".,")


def _rest(frame: Frame, i: int, x: int, words: list[str]) -> bool:
    """The words from line i, column x on: some on this line, the rest wrapped onto the next lines,
    either stacked at the same column (a header, a wrapped cell) or at the line's first word (prose)."""
    line = frame[i]
    k = 0
    pos = x
    ends = []
    while k < len(words) and line.startswith(words[k], pos):
        pos += len(words[k])
        k += 1
        ends.append(k)
        if line.startswith(" ", pos):
            pos += 1
        else:
            break
    if k == len(words):
        return True
    if i + 1 >= len(frame):
        return False
    nxt = frame[i + 1]
    starts = {x, len(nxt) - len(nxt.lstrip())}
    return any(_rest(frame, i + 1, sx, words[k:]) for k in reversed(ends) for sx in starts)


def found_whole(frame: Frame, text: str) -> bool:
    """`text` in the frame on one line, or its words wrapped over the next lines."""
    words = text.split()
    for i, line in enumerate(frame):
        for m in re.finditer(re.escape(words[0]), line):
            if len(words) == 1:
                if _bounded(line, m.start(), text):
                    return True
            elif _rest(frame, i, m.start(), words):
                return True
    return False


def prefix_of(name: str, names: list[str]) -> str:
    """The start of a name that no other name shares (at least PREFIX characters, not ending in a
    space): seeing it on screen means this name, or part of it, is shown."""
    common = max((len(os.path.commonprefix([name, n])) for n in names if n != name), default=0)
    n = max(PREFIX, common + 1)
    while n < len(name) and name[n - 1] == " ":
        n += 1
    return name[:n]


def shows_part(frame: Frame, name: str, names: list[str], known: set[str]) -> bool:
    """Some of a name (its own prefix) is on screen, stopping where a cut would: before a space, a
    border or the edge, and not as another name the screen shows (a model named like the option)."""
    start = prefix_of(name, names)
    if len(start) >= len(name):
        return False
    for line in frame:
        for m in re.finditer(re.escape(start), line):
            n = len(os.path.commonprefix([line[m.start() :], name]))
            stop = line[m.start() + n : m.start() + n + 1]
            if (
                n < len(name)
                and (not stop or not stop.isalnum() and stop not in ",.-+(")
                and (line[m.start() : m.start() + n].rstrip() not in known)
            ):
                return True
    return False


# --- what each pane must show -----------------------------------------------------------------------
def report_figures(path: Path) -> dict:
    doc = Document(files.load(path), path)
    rep = to_json_dict(analyze(doc.scenario))
    cur = rep["currency"]
    names = [o["name"] for o in rep["options"]]
    money = [
        fmt.money(o[k], cur)
        for o in rep["options"]
        for k in ("month1", "average_monthly", "tco", "cost_per_request", "cost_per_mtok")
    ]
    s = doc.scenario
    pricing = [m.name for m in s.api_models] + [g.name for g in s.gpus]
    pricing += [x.source for x in (*s.api_models, *s.gpus) if getattr(x, "source", "")]
    return {
        "names": names,
        "known": set(names) | {m.name for m in s.api_models} | {g.name for g in s.gpus},
        "expect": {
            "results": names + money,
            "options": names,
            "pricing": pricing,
            "risks": [r["title"] for r in rep["risks"]],
        },
    }


# --- reading a pane as a user would ---------------------------------------------------------------
async def pane_frames(app, pilot, widget) -> list[Frame]:
    """What the pane shows, and what it shows scrolled to each part of each scrolling widget in it."""
    frames = [crop(screen_lines(app), widget.region)]
    for w in [widget, *widget.query("*")]:
        if not w.display or w.region.area == 0:
            continue
        max_x, max_y = int(w.max_scroll_x), int(w.max_scroll_y)
        if not (max_x or max_y):
            continue
        step_x = max(1, w.scrollable_content_region.width // 2)
        step_y = max(1, w.scrollable_content_region.height - 1)
        xs = sorted({*range(0, max_x + 1, step_x), max_x})
        ys = sorted({*range(0, max_y + 1, step_y), max_y})
        for y in ys:
            for x in xs:
                w.scroll_to(x, y, animate=False, immediate=True)
                await pilot.pause()
                frames.append(crop(screen_lines(app), widget.region))
        w.scroll_to(0, 0, animate=False, immediate=True)
    return frames


async def screens(path: Path, size: tuple[int, int]) -> dict[str, list[Frame]]:
    """Every pane of the registry, by id, as it reads at `size`."""
    from textual.widgets import TabbedContent

    from workbench.tui.app import WorkbenchApp
    from workbench.tui.panes.registry import PANES

    app = WorkbenchApp([Document(files.load(path), path)])
    out: dict[str, list[Frame]] = {}
    async with app.run_test(size=size) as pilot:
        for _ in range(200):
            view = app.active_view()
            if view is not None and view.query("DataTable"):
                break
            await pilot.pause()
        assert view is not None
        for p in PANES:
            await pilot.press(p.fkey)
            tabs = view.query_one(f"#{p.half}", TabbedContent)
            for _ in range(200):
                if tabs.active == p.id:
                    break
                await pilot.pause()
            assert tabs.active == p.id, f"{p.fkey} did not show {p.id}"
            for _ in range(5):  # panes that work when shown draw on the next frames
                await pilot.pause()
            pane = view.query_one(f"#{p.id}")
            out[p.id] = await pane_frames(app, pilot, pane)
    return out


def missing(frames: list[Frame], texts: list[str]) -> list[str]:
    return [t for t in texts if not any(found_whole(f, t) for f in frames)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.stem)
async def test_every_pane_shows_every_name_and_figure_whole(preset: Path, size: tuple[int, int]) -> None:
    want = report_figures(preset)
    shown = await screens(preset, size)
    problems = []
    for pane_id, frames in shown.items():
        expected = want["expect"].get(pane_id, [])
        # any pane that shows part of an option's name shows the whole name somewhere (a cut header,
        # cell or legend fails here, whichever pane it is on)
        partly = [
            n for n in want["names"] if any(shows_part(f, n, want["names"], want["known"]) for f in frames)
        ]
        for text in missing(frames, expected + [n for n in partly if n not in expected]):
            problems.append(f"{pane_id}: {text!r}")
    assert not problems, f"{preset.stem} at {size}: not shown whole: {problems}"


# --- the CLI's tables ------------------------------------------------------------------------------
def _cli(monkeypatch, columns: int, *argv: str) -> list[str]:
    from workbench.cli.run import main

    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.delenv("LINES", raising=False)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(list(argv)) in (0, None)
    return out.getvalue().splitlines()


@pytest.mark.parametrize("columns", (80, 160))
@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.stem)
def test_report_table_fits_and_cuts_no_figure(monkeypatch, preset: Path, columns: int) -> None:
    want = report_figures(preset)
    lines = _cli(monkeypatch, columns, "report", str(preset), "--format", "table")
    assert all(len(line.rstrip()) <= columns for line in lines)
    table = lines[: next(i for i, line in enumerate(lines) if line.startswith("B baseline"))]
    assert not [line for line in table if "…" in line]
    assert not missing([table], want["expect"]["results"])
    # a name wraps over at most two lines at 80 columns (it took four)
    for name in want["names"]:
        assert any(found_whole(table[i : i + 2], name) for i in range(len(table))), name


@pytest.mark.parametrize("columns", (80, 160))
@pytest.mark.parametrize(
    "argv",
    (
        ("gpus",),
        ("prices", "llama"),
        ("size", "--model", "llama-3.1-8b", "--gpu", "H100 SXM", "--sweep", "batch"),
    ),
    ids=lambda a: a[0],
)
def test_cli_tables_fit_and_cut_no_figure(monkeypatch, argv: tuple[str, ...], columns: int) -> None:
    lines = _cli(monkeypatch, columns, *argv)
    tables = [line for line in lines if re.search(r"\d", line) and "  " in line]
    assert tables
    assert not [line for line in tables if "…" in line]
    assert all(len(line.rstrip()) <= columns for line in lines if line in tables)


def test_gpus_shows_every_price_and_kind_whole(monkeypatch) -> None:
    from workbench.model import sizing

    lines = _cli(monkeypatch, 80, "gpus")
    for g in sizing.GPUS:
        row = next(line for line in lines if line.startswith(g.name + " "))
        assert f"{g.hourly:.2f}" in row and g.price_kind in row, row


# simulate needs [uncertainty] ranges, which of the presets only starter has
_TABLES = [
    *((preset, ("sensitivity",)) for preset in ("starter", "loan-underwriting-100k", "10k-extraction")),
    ("starter", ("simulate", "--draws", "1000")),
]


@pytest.mark.parametrize("columns", (80, 160))
@pytest.mark.parametrize(("preset", "argv"), _TABLES, ids=lambda x: x if isinstance(x, str) else x[0])
def test_sensitivity_and_simulate_tables_fit_and_cut_no_name(monkeypatch, argv, preset, columns) -> None:
    path = ROOT / "presets" / f"{preset}.toml"
    assert argv[0] != "simulate" or files.load(path).uncertainty
    lines = _cli(monkeypatch, columns, argv[0], str(path), *argv[1:])
    rows = [line for line in lines if "$" in line and re.search(r"\S {2,}\S", line)]
    assert rows and all(len(line) <= columns for line in rows), [r for r in rows if len(r) > columns]
    assert not [line for line in lines if "…" in line and "more (--top" not in line]
    names = [o.name for o in files.load(path).options]
    if argv[0] == "simulate":
        assert not missing([lines], names)
