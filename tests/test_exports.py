"""Exports for the meeting: Markdown summary, CSV monthly table and SVG screenshot into saves/."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from helpers import STARTER, make_app, until

from workbench.model import report
from workbench.session import exports
from workbench.store import files
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.export import ExportChooser
from workbench.tui.view import ScenarioView


@pytest.fixture
def saves(saves):
    saves.rmdir()  # does not exist yet: the export creates it
    return saves


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


def _status(app: WorkbenchApp) -> str:
    return str(app.query_one(ScenarioView).query_one("#status").render())


@pytest.mark.parametrize("key,suffix", [("m", ".md"), ("c", ".csv"), ("s", ".svg")])
async def test_export_keys_write_into_saves_and_say_where(saves, key, suffix):
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("E")
        await until(pilot, lambda: isinstance(app.screen, ExportChooser))
        await pilot.press(key)
        await until(pilot, lambda: saves.exists() and any(saves.glob(f"*{suffix}")))
        made = list(saves.glob(f"*{suffix}"))
        assert len(made) == 1 and made[0].name.startswith("starter-")
        await until(pilot, lambda: "exported to" in _status(app))
        assert made[0].name in _status(app)
        if suffix == ".svg":
            text = made[0].read_text("utf-8")
            assert text.lstrip().startswith("<svg") and "API&#160;models" in text
            assert "Export&#160;this&#160;tab" not in text  # the chooser is gone before the screenshot


async def test_export_all_and_palette_commands(saves):
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("E", "a")
        await until(pilot, lambda: saves.exists() and len(list(saves.iterdir())) == 3)
        assert sorted(p.suffix for p in saves.iterdir()) == [".csv", ".md", ".svg"]
        await until(pilot, lambda: "summary, monthly table, screenshot" in _status(app))
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
        await until(pilot, lambda: "export cancelled" in _status(app))
        assert len(list(saves.iterdir())) == 3
