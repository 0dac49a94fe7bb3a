"""The pane registry drives the tabs, the keys, `?` and the palette; the grids and panes talk to their
view through messages and what it hands down; Textual's version is the one the fixes were checked with."""

from __future__ import annotations

from pathlib import Path

import pytest
import textual
from textual.binding import Binding
from textual.widgets import TabbedContent

from workbench.session.document import Document
from workbench.store import files
from workbench.tui import textual_fixes
from workbench.tui.app import WorkbenchApp
from workbench.tui.grids.grid import Grid
from workbench.tui.panes import registry
from workbench.tui.panes.analysis import SimulationPane
from workbench.tui.screens.dialogs import HelpScreen
from workbench.tui.screens.sizing import SizingDialog
from workbench.tui.view import ScenarioView
from workbench.tui.widgets.shown import RunsWhenShown

ROOT = Path(__file__).resolve().parent.parent
STARTER = ROOT / "presets" / "starter.toml"


def make_app() -> WorkbenchApp:
    return WorkbenchApp([Document(files.load(STARTER), STARTER)])


async def until(pilot, condition, tries: int = 500) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause()
    assert condition()


def test_textual_is_the_version_the_fixes_were_checked_with():
    """An upgrade fails here first: re-check every fix in workbench/tui/textual_fixes.py, then bump it."""
    assert textual.__version__ == textual_fixes.CHECKED_WITH


def test_every_app_binding_has_an_id_and_names_an_action_of_the_app():
    ids = [b.id for b in WorkbenchApp.BINDINGS if isinstance(b, Binding)]
    assert all(ids) and len(set(ids)) == len(ids)
    for b in WorkbenchApp.BINDINGS:
        assert isinstance(b, Binding)
        name = b.action.split("(")[0]
        assert callable(getattr(WorkbenchApp, f"action_{name}", None)), b.action
        assert "action_" not in b.action  # no method named in an action's arguments


def test_each_pane_has_its_keys_once():
    keys = [k for p in registry.PANES for k in (p.fkey, p.letter) if k]
    assert len(set(keys)) == len(keys)
    pane_bindings = {b.id: b for b in WorkbenchApp.BINDINGS if isinstance(b, Binding) and b.id}
    for p in registry.PANES:
        assert pane_bindings[p.binding_id].key == p.fkey and pane_bindings[p.binding_id].priority
        if p.letter:
            assert pane_bindings[f"{p.binding_id}.letter"].key == p.letter


async def test_tabs_come_from_the_registry_and_every_pane_key_shows_its_pane():
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        view = app.active_view()
        await until(pilot, lambda: view is not None and view.query(Grid))
        assert view is not None
        for half in ("inputs", "outputs"):
            tabs = view.query_one(f"#{half}", TabbedContent)
            shown = [(pane.id, str(tabs.get_tab(pane.id or "").label)) for pane in tabs.query("TabPane")]
            assert shown == [(p.id, p.title) for p in registry.in_half(half)]
        for p in registry.PANES:
            for key in (p.fkey, p.letter):
                if key is None:
                    continue
                await pilot.press("f1" if p.id != "pricing" else "f2")
                await pilot.press(key)
                await until(pilot, lambda p=p: view.query_one(f"#{p.half}", TabbedContent).active == p.id)
                # the pane's own widgets work only while shown when it says so
                widgets = list(view.query_one(f"#{p.id}").query("*"))
                assert any(isinstance(w, RunsWhenShown) for w in widgets) == p.runs_when_shown, p.id


async def test_help_lists_every_key_that_works_including_the_panes_own():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.active_view() is not None)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        sections = dict(app.help_sections())
        assert [k for k, _ in sections["Panes"]] == [p.keys_text for p in registry.PANES]
        assert {k for k, _ in sections["Sensitivity pane"]} == {"[", "]", "{", "}", "+,=", "-"}
        assert {k for k, _ in sections["Simulation pane"]} == {"+,=", "-", "n"}
        listed = {k for rows in sections.values() for k, _ in rows}
        for declared in (WorkbenchApp.BINDINGS, ScenarioView.BINDINGS, Grid.BINDINGS):
            for b in declared:
                assert isinstance(b, Binding)
                if b.id and b.id.startswith("pane."):
                    continue  # listed per pane, in "Panes"
                if b.tooltip or b.description:
                    assert any(b.key.split(",")[0] in k or k in b.key for k in listed), b.key


async def test_palette_offers_every_pane_by_name():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.active_view() is not None)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for p in registry.PANES:
            assert p.command_title in titles
        assert "Sensitivity (Tornado)" in titles and "Simulation (Monte Carlo)" in titles


def test_a_pane_says_things_with_a_message_not_by_finding_its_view():
    said = []
    pane = SimulationPane()
    pane.post_message = lambda message: said.append(message) or True
    pane._say("hello")
    assert [getattr(m, "text", None) for m in said] == ["hello"]


@pytest.mark.parametrize("preset", ["starter", "two-million-tokens-a-day"])
async def test_sizing_starts_from_the_engines_tokens_per_request(preset):
    path = ROOT / "presets" / f"{preset}.toml"
    s = files.load(path)
    hosted = [i for i, o in enumerate(s.options) if o.is_self_hosted]
    if not hosted:
        pytest.skip("no self-hosted option")
    app = WorkbenchApp([Document(s, path)])
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        await until(pilot, lambda: view is not None and view.query(Grid))
        assert view is not None
        results = view.doc.analysis().results
        for i in hosted:
            view.focus_option = i
            view.size_gpu()
            await until(pilot, lambda: isinstance(app.screen, SizingDialog))
            dialog = app.screen
            assert isinstance(dialog, SizingDialog)
            assert dialog.defaults["input"] == f"{results.series(i, 'tin')[0]:g}"
            assert dialog.defaults["output"] == f"{max(1.0, results.series(i, 'tout')[0]):g}"
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, SizingDialog))
