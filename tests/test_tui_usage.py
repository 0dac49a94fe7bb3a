"""The usage-log import dialog (`I`): it reads off the UI thread, previews the summary, fills [workload]
as one undoable edit, and answers a bad path or a file without usage columns with one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import until
from textual.widgets import Input, Select, Static

from workbench.session.document import Document
from workbench.store import files, usagelog
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens import usage as dialog_module
from workbench.tui.screens.usage import UsageDialog, complete, parse_columns, split_paths
from workbench.tui.view import ScenarioView

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "tests" / "usage_logs"


def test_the_dialog_offers_the_readers_formats():
    assert dialog_module.FORMATS == usagelog.FORMATS


def test_paths_columns_and_completion(tmp_path: Path):
    assert split_paths('a.csv "my logs/b.jsonl"') == ["a.csv", "my logs/b.jsonl"]
    assert parse_columns("timestamp=when, input=prompt output=completion") == {
        "timestamp": "when",
        "input": "prompt",
        "output": "completion",
    }
    assert parse_columns("") == {}
    with pytest.raises(ValueError, match="not key=column"):
        parse_columns("timestamp")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "usage-sept.csv").write_text("x")
    (tmp_path / "logs" / "usage-oct.csv").write_text("x")
    assert complete("lo", tmp_path) == "logs/"
    assert complete("logs/u", tmp_path) == "logs/usage-"  # as far as the two agree
    assert complete("logs/usage-s", tmp_path) == "logs/usage-sept.csv"
    assert complete("a.csv logs/usage-o", tmp_path) == "a.csv logs/usage-oct.csv"
    assert complete("nothing", tmp_path) is None
    assert complete("lo", tmp_path, refuse=lambda p: "refused") is None  # a served session lists nothing


def starter_app() -> tuple[WorkbenchApp, object]:
    s = files.load(ROOT / "presets" / "starter.toml")
    return WorkbenchApp([Document(s, None, "t")]), s


async def open_import(pilot, app: WorkbenchApp) -> UsageDialog:
    await until(pilot, lambda: app.focused is not None)
    await pilot.press("I")
    await until(pilot, lambda: isinstance(app.screen, UsageDialog))
    assert isinstance(app.screen, UsageDialog)
    return app.screen


async def test_import_fills_the_workload_in_one_undo_step(saves, monkeypatch):
    monkeypatch.chdir(ROOT)
    app, s = starter_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ScenarioView)
        dialog = await open_import(pilot, app)
        hint = dialog.query_one(".hint", Static)
        assert hint.region.bottom <= 24 and "Enter fills [workload]" in str(hint.render())
        await pilot.press(*"tests/usage_logs/openai_usage.csv")
        await until(pilot, lambda: dialog.summary is not None, delay=0.05)  # read in a worker
        summary = dialog.summary
        assert summary is not None and summary.format == "openai"
        preview = str(dialog.query_one("#usage-lines", Static).render())
        assert summary.lines()[0] in preview
        await pilot.press("enter")
        await until(pilot, lambda: view.doc.pos == 1)
        w = view.doc.scenario.workload
        for key, value in summary.workload().items():
            assert getattr(w, key) == pytest.approx(value)
        assert w.source == summary.source_text() and "openai_usage.csv" in w.source
        assert w.requests_per_day != s.workload.requests_per_day  # the log's, not the preset's
        status = str(view.query_one("#status").render())
        assert status.startswith("✔ imported (u undoes): req/day 20k→")
        await pilot.press("u")
        await until(pilot, lambda: view.doc.scenario == s)


async def test_enter_before_the_preview_reads_then_imports(saves, monkeypatch, tmp_path):
    """Any CSV, its columns named, two files by a wildcard; Enter pressed at once reads the logs first,
    then fills."""
    (tmp_path / "logs").mkdir()
    for half in (1, 2):
        rows = ["when,prompt,completion"]
        for day in (half * 2 - 1, half * 2):
            for hour in range(0, 24, 2):
                rows.append(f"2026-10-0{day}T{hour:02d}:15:00Z,{1000 + day * 10},{200 + hour}")
        (tmp_path / "logs" / f"mine-{half}.csv").write_text("\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    app, s = starter_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ScenarioView)
        dialog = await open_import(pilot, app)
        dialog.query_one("#usage-columns", Input).value = "timestamp=when input=prompt output=completion"
        dialog.query_one("#usage-format", Select).value = "csv"
        dialog.query_one("#usage-path", Input).value = "logs/*.csv"
        dialog.query_one("#usage-path", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: view.doc.pos == 1, delay=0.05)
        assert view.doc.scenario.workload.requests_per_day == pytest.approx(12)
        source = view.doc.scenario.workload.source
        assert "mine-1.csv and 1 more" in source, source


async def test_a_bad_path_or_log_is_one_line_and_changes_nothing(saves, monkeypatch, tmp_path):
    (tmp_path / "notes.csv").write_text("day,words\n2026-10-01,12\n")
    monkeypatch.chdir(tmp_path)
    app, s = starter_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ScenarioView)
        dialog = await open_import(pilot, app)
        state = dialog.query_one("#usage-state", Static)
        await pilot.press(*"nope.csv", "enter")
        await until(pilot, lambda: state.has_class("error"))
        assert str(state.render()).strip() == "nope.csv: no such file"
        assert isinstance(app.screen, UsageDialog) and view.doc.pos == 0

        dialog.query_one("#usage-path", Input).value = "notes.csv"
        await until(pilot, lambda: "no usage columns" in dialog.error, delay=0.05)
        assert "\n" not in dialog.error and "day, words" in dialog.error
        assert state.has_class("error") and dialog.summary is None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UsageDialog) and view.doc.pos == 0

        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, UsageDialog))
        assert view.doc.scenario == s and view.doc.pos == 0
        assert "nothing changed" in str(view.query_one("#status").render())


async def test_a_served_session_reads_only_its_folders(saves, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("WORKBENCH_SERVED", "1")
    app, s = starter_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ScenarioView)
        dialog = await open_import(pilot, app)
        await pilot.press(*"tests/usage_logs/openai_usage.csv")
        await until(pilot, lambda: dialog.error.startswith("served session:"), delay=0.05)
        await pilot.press("enter")
        await pilot.pause()
        assert dialog.summary is None and view.doc.pos == 0


async def test_the_palette_and_the_keymap_know_the_import(saves):
    app, _ = starter_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Import usage" in titles
        assert any(b.id == "view.import_usage" and b.key == "I" for b in app.BINDINGS if hasattr(b, "id"))
