"""Pilot tests: the TUI as a person drives it, with the keyboard."""

from __future__ import annotations

import shutil

import pytest
from helpers import PRESETS, make_app, until
from textual import events

from workbench.store import files
from workbench.tui.grids.grid import FieldGrid, RowGrid
from workbench.tui.panes.plots import PlotsPane
from workbench.tui.panes.tables import LadderView, ResultsTable, RiskTable
from workbench.tui.screens.dialogs import Confirm, PresetPicker
from workbench.tui.view import EditBar, ScenarioView


async def goto_field(pilot, view: ScenarioView, pane: str, path: tuple) -> FieldGrid:
    view.action_pane(pane)
    await pilot.pause()
    grid = view.query_one(f"#grid-{pane}", FieldGrid)
    grid.focus()
    await pilot.pause()
    grid.move_cursor(row=grid._rows.index(path))
    await pilot.pause()
    return grid


def ladder_text(view: ScenarioView) -> str:
    return str(view.query_one("#ladder-text").render())


async def test_edit_recomputes_every_pane(saves):
    app = make_app("loan-underwriting-100k")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        before = view.doc.analysis()
        tco_before = [o.tco for o in before.results.options]
        plots_before = view.query_one(PlotsPane).analysis
        await goto_field(pilot, view, "workload", ("workload", "requests_per_day"))
        await pilot.press("2", "0", "k", "enter")
        await pilot.pause()
        after = view.doc.analysis()
        assert view.doc.scenario.workload.requests_per_day == 20000
        assert [o.tco for o in after.results.options] != tco_before
        # Results table shows the new TCO, flashed.
        table = view.query_one(ResultsTable)
        assert table.flashed, "changed result cells are marked"
        assert table._last[0]["tco"] != "", table._last
        # Ladder, plots and risks rendered from the new analysis (a hidden pane draws it when shown).
        assert view.query_one(PlotsPane).analysis is after is not plots_before
        await pilot.press("f6")
        await until(
            pilot,
            lambda: "20k requests/day" in ladder_text(view) or "600k requests/month" in ladder_text(view),
        )
        assert view.query_one(RiskTable)._order[0].id in {x.id for x in after.risks}
        assert "●" in str(app.query_one("#tabs").get_tab(view.parent.id).label)


async def test_keys_typed_in_one_burst_land_in_order(saves):
    """Over SSH a fast typist's keys arrive together: '77⏎j12⏎k' must edit two rows and move back up,
    as if typed slowly (a binding used to run after the keys that followed it, and Enter got lost)."""
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        grid = await goto_field(pilot, view, "workload", ("workload", "input_tokens"))
        for key, char in [
            ("7", "7"),
            ("7", "7"),
            ("enter", "\r"),
            ("j", "j"),
            ("1", "1"),
            ("2", "2"),
            ("enter", "\r"),
            ("k", "k"),
        ]:
            app._driver.send_message(events.Key(key, char))  # queued together, no wait in between
        await until(
            pilot, lambda: view.doc.scenario.workload.output_tokens == 12 and view.editing_path is None
        )
        await pilot.pause()
        assert view.doc.scenario.workload.input_tokens == 77
        assert grid.current_path() == ("workload", "input_tokens")


async def test_rejected_value_changes_nothing_and_says_why(saves):
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        original = view.doc.scenario
        await goto_field(pilot, view, "workload", ("workload", "cacheable_share"))
        await pilot.press("enter")
        await pilot.pause()
        inp = view.query_one("#edit-input")
        inp.value = "150%"
        await pilot.press("enter")
        await pilot.pause()
        assert view.doc.scenario is original
        assert view.query_one(EditBar).display, "the editor stays open on the bad value"
        assert "cacheable_share" in str(view.query_one("#edit-error").render())
        assert "<= 1" in str(view.query_one("#edit-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert not view.query_one(EditBar).display
        assert view.doc.scenario is original
        assert not view.doc.dirty


async def test_number_formats_and_space_cycles(saves):
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        await goto_field(pilot, view, "overheads", ("overheads", "engineer_annual_cost"))
        await pilot.press("enter")
        view.query_one("#edit-input").value = "$1,500"
        await pilot.press("enter")
        await pilot.pause()
        assert view.doc.scenario.overheads.engineer_annual_cost == 1500
        await goto_field(pilot, view, "workload", ("requirements", "needs_proprietary_data"))
        was = view.doc.scenario.requirements.needs_proprietary_data
        await pilot.press("space")
        await pilot.pause()
        assert view.doc.scenario.requirements.needs_proprietary_data is (not was)


async def test_undo_redo_back_to_the_file_as_opened(saves):
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        original = view.doc.scenario
        await goto_field(pilot, view, "workload", ("workload", "requests_per_day"))
        await pilot.press("5", "0", "k", "enter")
        await pilot.pause()
        await pilot.press("3", "enter")
        await pilot.pause()
        assert view.doc.scenario.workload.requests_per_day == 3
        await pilot.press("u")
        await pilot.pause()
        assert view.doc.scenario.workload.requests_per_day == 50000
        await pilot.press("ctrl+z", "u")
        await pilot.pause()
        assert view.doc.scenario == original and not view.doc.dirty
        assert "nothing to undo" in str(view.query_one("#status").render())
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert view.doc.scenario.workload.requests_per_day == 50000


async def test_add_duplicate_delete_rows(saves):
    app = make_app("starter")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        view.action_pane("options")
        await pilot.pause()
        grid = view.query_one("#grid-options", RowGrid)
        grid.focus()
        await pilot.pause()
        n = len(view.doc.scenario.options)
        await pilot.press("a")
        await pilot.pause()
        assert len(view.doc.scenario.options) == n + 1
        assert grid.row_count == n + 1
        assert len(view.doc.analysis().results.options) == n + 1
        await pilot.press("C")
        await pilot.pause()
        assert len(view.doc.scenario.options) == n + 2
        names = [o.name for o in view.doc.scenario.options]
        assert len(set(names)) == len(names)
        await pilot.press("D", "D")
        await pilot.pause()
        assert len(view.doc.scenario.options) == n
        # A GPU an option uses cannot be deleted; the reason is shown and nothing changes.
        gpus = view.query_one("#grid-gpus", RowGrid)
        gpus.focus()
        await pilot.pause()
        gpus.move_cursor(row=0)
        before = view.doc.scenario
        await pilot.press("D")
        await pilot.pause()
        assert view.doc.scenario is before
        assert "cannot delete" in str(view.query_one("#status").render())


async def test_rename_model_row_renames_references(saves):
    app = make_app("starter")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        grid = view.query_one("#grid-api_models", RowGrid)
        grid.focus()
        await pilot.pause()
        grid.move_cursor(row=0, column=0)
        old = view.doc.scenario.api_models[0].name
        await pilot.press("r")
        await pilot.pause()
        view.query_one("#edit-input").value = "Frontier model"
        await pilot.press("enter")
        await pilot.pause()
        s = view.doc.scenario
        assert s.api_models[0].name == "Frontier model"
        assert all(o.model != old for o in s.options)
        assert any(o.model == "Frontier model" for o in s.options)


async def test_risk_toggle_and_note_are_saved(saves):
    app = make_app("starter")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        view.action_pane("risks")
        await pilot.pause()
        table = view.query_one(RiskTable)
        table.focus()
        await pilot.pause()
        risk = table.current()
        await pilot.press("space")
        await pilot.pause()
        state = view.doc.scenario.risk_state(risk.id)
        assert state is not None and state.mitigated is (not risk.mitigated)
        await pilot.press("enter")
        view.query_one("#edit-input").value = "staged rollout to 5%"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = files.load(saves / "starter.toml")
        assert saved == view.doc.scenario
        assert any(r.note == "staged rollout to 5%" for r in saved.risks)


async def test_save_writes_saves_not_presets_and_reopens_equal(saves):
    preset_bytes = (PRESETS / "starter.toml").read_bytes()
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        await goto_field(pilot, view, "workload", ("workload", "requests_per_day"))
        await pilot.press("7", "7", "7", "enter")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not view.doc.dirty
        assert view.doc.path == saves / "starter.toml"
        assert "saved to" in str(view.query_one("#status").render())
    assert (PRESETS / "starter.toml").read_bytes() == preset_bytes
    reopened = files.load(saves / "starter.toml")
    assert reopened.workload.requests_per_day == 777
    assert reopened == view.doc.scenario


async def test_save_into_missing_folder_keeps_edits(saves, tmp_path):
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        await goto_field(pilot, view, "workload", ("workload", "requests_per_day"))
        await pilot.press("9", "enter")
        view.doc.path = tmp_path / "nope" / "x.toml"
        view.doc.from_preset = False
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert view.doc.dirty
        assert view.doc.scenario.workload.requests_per_day == 9
        assert "not saved" in str(view.query_one("#status").render())


async def test_tabs_new_duplicate_close_with_prompt(saves):
    app = make_app("starter")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, PresetPicker) and app.screen.focused is not None)
        await pilot.press("down", "enter")
        await until(pilot, lambda: len(app.views()) == 2 and app.active_view() is app.views()[1])
        await pilot.press("ctrl+d")
        await until(pilot, lambda: len(app.views()) == 3 and app.active_view() is app.views()[2])
        view = app.active_view()
        assert view.doc.dirty and view.doc.path is None
        await pilot.press("ctrl+w")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Confirm))
        assert len(app.views()) == 3
        await pilot.press("ctrl+w")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("d")
        await until(pilot, lambda: len(app.views()) == 2)


async def test_quit_asks_about_unsaved(saves):
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        await goto_field(pilot, view, "workload", ("workload", "requests_per_day"))
        await pilot.press("1", "enter", "q")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Confirm))
        assert app.is_running
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("s")
        await pilot.pause()
    assert (saves / "starter.toml").exists()


async def test_compare_tab_shows_every_scenario(saves):
    app = make_app("starter", "loan-underwriting-100k")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        table = app.query_one("#compare-view").table
        assert len(table.columns) >= 3


async def test_small_terminal_message():
    app = make_app("starter")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert "too small" in str(app.query_one("#too-small").render())
        assert app.screen.has_class("too-small")


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (60, 16), (200, 60)])
async def test_every_pane_renders(size, saves):
    app = make_app("two-million-tokens-a-day")
    async with app.run_test(size=size) as pilot:
        view = app.active_view()
        for pane in ("pricing", "workload", "overheads", "options", "results", "ladder", "plots", "risks"):
            view.action_pane(pane)
            await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.is_running


async def test_ladder_pane_lists_six_steps_and_rungs():
    app = make_app("starter")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        view.action_pane("ladder")
        await pilot.pause()
        text = ladder_text(view)
        assert "Recommendation" in text
        for title in ("API + prompting", "Add RAG", "Prompt caching", "Fine-tune", "Distill", "Self-host"):
            assert title in text
        assert "Continued pre-training" in text and "Training from scratch" in text
        assert view.query_one(LadderView)


def test_copy_starter_to_tmp_is_unchanged(tmp_path):
    """The preset loads and saves to the same scenario (templates stay intact)."""
    shutil.copy(PRESETS / "starter.toml", tmp_path / "s.toml")
    s = files.load(tmp_path / "s.toml")
    files.save(s, tmp_path / "s2.toml")
    assert files.load(tmp_path / "s2.toml") == s
