"""Issue 14's key problems, driven with the keyboard as a person would (each failed before the fix)."""

from __future__ import annotations

from helpers import make_app, until
from textual.widgets import Button, Input, TabbedContent

from workbench.tui.panes import registry
from workbench.tui.panes.tables import RiskTable
from workbench.tui.screens.dialogs import Confirm, HelpScreen
from workbench.tui.screens.explain import ExplainScreen
from workbench.tui.view import ScenarioView


def status(view: ScenarioView) -> str:
    return str(view.query_one("#status").render())


def help_text(app) -> str:
    return str(app.screen.query_one(".help").query_one("Static").render())


async def test_x_right_after_f5_explains_a_figure(saves):
    for size in ((80, 24), (160, 45)):
        app = make_app("starter", "two-million-tokens-a-day")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press("f5", "x")
            await until(pilot, lambda app=app: isinstance(app.screen, ExplainScreen))


async def test_a_cell_is_named_the_same_on_the_status_line_and_in_the_edit_message(saves):
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.active_view()
        await pilot.press("f1", "right")  # the first API model's input price
        await pilot.pause()
        name = view.doc.scenario.api_models[0].name
        on_cell = status(view)
        assert on_cell.startswith(f"API models › {name} › input:"), on_cell
        await pilot.press("5", "enter")
        await pilot.pause()
        assert status(view) == f"✔ API models › {name} › input = 5"
        assert view.doc.scenario.api_models[0].input == 5


async def test_every_pane_has_a_letter_key_listed_in_help(saves):
    app = make_app("starter")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        letters = [p.letter for p in registry.PANES]
        assert all(letters) and len(set(letters)) == len(letters)
        for pane in registry.PANES:
            await pilot.press(str(pane.letter))
            await pilot.pause()
            assert view.query_one(f"#{pane.half}", TabbedContent).active == pane.id, pane.letter
        # No letter takes a key another binding of the app, the tab, a grid or a pane already has.
        from workbench.tui.app import WorkbenchApp, _bindings
        from workbench.tui.grids.grid import Grid
        from workbench.tui.view import EditBar

        others = [WorkbenchApp.BINDINGS, ScenarioView.BINDINGS, Grid.BINDINGS, EditBar.BINDINGS]
        others += [w.BINDINGS for p in registry.PANES for w in p.keys_of]
        taken = {
            k
            for group in others
            for b in _bindings(group)
            if not (b.id or "").startswith("pane.")
            for k in b.key.split(",")
        }
        assert not taken & set(letters)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = help_text(app)
        for pane in registry.PANES:
            assert f"{pane.fkey} {pane.letter}" in text


async def test_confirm_buttons_move_with_arrows_and_quit_starts_on_save(saves):
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.active_view()
        await pilot.press("f1", "right", "5", "enter")  # an unsaved edit
        await pilot.pause()
        assert view.doc.dirty
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert app.focused is not None and app.focused.id == "save"
        await pilot.press("right")
        assert app.focused.id == "discard"
        await pilot.press("right")
        assert app.focused.id == "cancel"
        await pilot.press("left")
        assert app.focused.id == "discard"
        await pilot.press("up")
        assert app.focused.id == "save"
        assert isinstance(app.focused, Button)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Confirm))


async def test_a_tab_comes_back_on_the_pane_it_showed(saves):
    app = make_app("starter", "two-million-tokens-a-day")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = app.active_view()
        await pilot.press("f4")  # the Options grid of the first tab
        await pilot.pause()
        await pilot.press("greater_than_sign")
        await until(pilot, lambda: app.active_view() is not first)
        second = app.active_view()
        await pilot.press("f6")  # the ladder of the second tab (at 80 columns, the results half)
        await pilot.pause()
        await pilot.press("less_than_sign")
        await until(pilot, lambda: app.active_view() is first)
        await pilot.pause()
        assert first.query_one("#inputs", TabbedContent).active == "options"
        assert first.query_one("#inputs-side").display
        await pilot.press("greater_than_sign")
        await until(pilot, lambda: app.active_view() is second)
        await pilot.pause()
        assert second.query_one("#outputs", TabbedContent).active == "ladder"
        assert second.query_one("#outputs-side").display  # the ladder is on screen, not the grids
        assert not second.query_one("#inputs-side").display


async def test_ctrl_s_on_compare_says_which_tabs_are_unsaved(saves):
    app = make_app("starter", "two-million-tokens-a-day")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.active_view()
        await pilot.press("f1", "right", "5", "enter")
        await pilot.pause()
        await pilot.press("m")
        await until(pilot, lambda: app.query_one("#tabs", TabbedContent).active == "compare")
        await pilot.press("ctrl+s")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert any(view.doc.title in m and "unsaved" in m for m in said), said


async def test_the_note_editor_opens_at_the_start_of_a_long_note(saves):
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.active_view()
        await pilot.press("f8")
        await pilot.pause()
        table = view.query_one(RiskTable)
        assert app.focused is table
        await pilot.press("enter")
        await pilot.pause()
        note = "START " + "a long note about who signs off the staged rollout and when " * 3 + "END"
        view.query_one("#edit-input", Input).value = note
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # open the note again
        await pilot.pause()
        inp = view.query_one("#edit-input", Input)
        assert inp.value == note
        await pilot.pause()
        shown = str(inp.render_line(0).text) if hasattr(inp, "render_line") else ""
        assert "START" in shown and "END" not in shown, shown
