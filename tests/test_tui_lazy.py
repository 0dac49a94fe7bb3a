"""The first frame first: the front tab is composed with each half's front pane only, and the rest (the
other panes, the tabs behind it, Compare and Split) is built after the first frame or when a key first
shows it. Here the build after the first frame is switched off, so every key below meets what it shows
unbuilt: it must build it, and the screen must read as it does when everything was built up front."""

from __future__ import annotations

import pytest
from helpers import make_app, screen_lines, until
from textual.widgets import TabbedContent

from workbench.tui.app import WorkbenchApp
from workbench.tui.grids.grid import Grid
from workbench.tui.panes import registry
from workbench.tui.view import ScenarioView

SIZE = (160, 45)


@pytest.fixture
def no_background_build(monkeypatch):
    async def nothing(self, views=None) -> None:
        return None

    monkeypatch.setattr(WorkbenchApp, "_build_rest", nothing)


def views(app) -> list[ScenarioView]:
    return list(app.query(ScenarioView))


async def test_the_first_frame_holds_the_front_panes_only(no_background_build):
    app = make_app("starter", "calculus-tutor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        front, behind = views(app)
        assert front.ready and not behind.ready
        assert not behind.children, "a tab behind the front one is composed empty"
        assert {g.id for g in app.query(Grid)} == {"grid-api_models", "grid-gpus"}
        assert set(front.unbuilt) == {
            "workload", "overheads", "options", "uncertainty",
            "ladder", "plots", "risks", "sensitivity", "simulation", "aids",
        }  # fmt: skip
        assert not app.query_one("#compare").children and not app.query_one("#split").children


async def screens_after(keys: tuple[str, ...], background: bool, monkeypatch) -> list[str]:
    if not background:

        async def nothing(self, views=None) -> None:
            return None

        monkeypatch.setattr(WorkbenchApp, "_build_rest", nothing)
    app = make_app("starter", "calculus-tutor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause()
        lines = screen_lines(app)
    monkeypatch.undo()
    return lines


@pytest.mark.parametrize(
    "keys",
    [
        ("f7",),  # a result pane of the front tab
        ("W", "f9"),  # an input pane, then a pane that runs only while shown
        ("greater_than_sign",),  # the tab behind
        ("greater_than_sign", "G"),  # the tab behind, then one of its panes at once
        ("m",),  # Compare
        ("backslash",),  # Split
        ("greater_than_sign", "less_than_sign", "f8"),
    ],
)
async def test_a_key_that_shows_something_unbuilt_builds_it_first(keys, monkeypatch):
    built_up_front = await screens_after(keys, True, monkeypatch)
    built_on_demand = await screens_after(keys, False, monkeypatch)
    assert built_on_demand == built_up_front


async def test_the_tabs_and_panes_shown_on_demand_are_whole(no_background_build):
    app = make_app("starter", "calculus-tutor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("greater_than_sign", "W")
        front, behind = views(app)
        await until(pilot, lambda: app.active_view() is behind)
        assert app.query_one("#tabs", TabbedContent).active == behind.tab_id
        assert behind.query_one("#inputs", TabbedContent).active == "workload"
        assert app.focused is not None and behind in app.focused.ancestors
        grid = behind.query_one("#grid-workload", Grid)
        assert grid.editor is behind and grid.row_count > 0  # it edits this tab's scenario
        # the palette's pane commands reach an unbuilt pane too (the palette runs them with call_later)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        app.call_later(commands[registry.BY_ID["aids"].command_title].callback)
        await until(pilot, lambda: behind.query_one("#outputs", TabbedContent).active == "aids")
        assert "aids" not in behind.unbuilt and "aids" in front.unbuilt
