"""Exports for the meeting: Markdown summary, CSV monthly table and SVG screenshot into saves/."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest

from workbench.model import report
from workbench.session import exports
from workbench.session.document import Document
from workbench.store import files
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.export import ExportChooser
from workbench.tui.view import ScenarioView

ROOT = Path(__file__).resolve().parent.parent
STARTER = ROOT / "presets" / "starter.toml"


@pytest.fixture
def saves(tmp_path, monkeypatch):
    folder = tmp_path / "saves"  # does not exist yet: the export creates it
    monkeypatch.setenv("WORKBENCH_SAVES", str(folder))
    return folder


def test_paths_are_fresh_and_named_after_the_tab(saves):
    when = datetime(2026, 11, 22, 9, 30, 0)
    p = exports.export_path("My scenario: v2!", "summary", "md", when)
    assert p == saves / "my-scenario-v2-summary-20261122-093000.md"
    a = report.analyze(files.load(STARTER))
    first = exports.write_summary(a, "My scenario: v2!", when=when)
    second = exports.write_summary(a, "My scenario: v2!", when=when)
    assert first != second and first.exists() and second.name.endswith("-2.md")  # never overwrites


def test_written_files_hold_the_report(saves):
    a = report.analyze(files.load(STARTER))
    md = exports.write_summary(a, "starter")
    assert md.read_text("utf-8") == report.to_markdown(a)
    out = exports.write_monthly(a, "starter")
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert len(rows) == len(a.results.options) * a.scenario.horizon_months
    assert {"option", "month", "inference", "total", "cumulative"} <= set(rows[0])


async def _settle(pilot, condition, tries: int = 60) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause()
    assert condition()


def _status(app: WorkbenchApp) -> str:
    return str(app.query_one(ScenarioView).query_one("#status").render())


@pytest.mark.parametrize("key,suffix", [("m", ".md"), ("c", ".csv"), ("s", ".svg")])
async def test_export_keys_write_into_saves_and_say_where(saves, key, suffix):
    app = WorkbenchApp([Document(files.load(STARTER), STARTER)])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("E")
        await _settle(pilot, lambda: isinstance(app.screen, ExportChooser))
        await pilot.press(key)
        await _settle(pilot, lambda: saves.exists() and any(saves.glob(f"*{suffix}")))
        made = list(saves.glob(f"*{suffix}"))
        assert len(made) == 1 and made[0].name.startswith("starter-")
        await _settle(pilot, lambda: "exported to" in _status(app))
        assert made[0].name in _status(app)
        if suffix == ".svg":
            text = made[0].read_text("utf-8")
            assert text.lstrip().startswith("<svg") and "API&#160;models" in text
            assert "Export&#160;this&#160;tab" not in text  # the chooser is gone before the screenshot


async def test_export_all_and_palette_commands(saves):
    app = WorkbenchApp([Document(files.load(STARTER), STARTER)])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("E", "a")
        await _settle(pilot, lambda: saves.exists() and len(list(saves.iterdir())) == 3)
        assert sorted(p.suffix for p in saves.iterdir()) == [".csv", ".md", ".svg"]
        await _settle(pilot, lambda: "summary, monthly table, screenshot" in _status(app))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for t in (
            "Export summary (Markdown)",
            "Export monthly table (CSV)",
            "Export screenshot (SVG)",
            "Prices",
            "Sizing",
            "Export",
        ):
            assert t in titles
        await pilot.press("E", "escape")
        await _settle(pilot, lambda: "export cancelled" in _status(app))
        assert len(list(saves.iterdir())) == 3
