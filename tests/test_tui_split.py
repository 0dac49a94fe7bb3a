"""The split view (two scenarios side by side) and the live summary line, as a person uses them."""

from __future__ import annotations

from helpers import make_app, screen_lines, until
from textual.widgets import ContentSwitcher, Static, TabbedContent

from workbench.model import fmt
from workbench.tui.panes.compare import CompareView
from workbench.tui.panes.split import SplitView
from workbench.tui.panes.tables import ResultsTable
from workbench.tui.screens.dialogs import TextScreen


def titles(app) -> list[str]:
    return [str(h.query_one(".split-title").render()).strip() for h in app.query_one(SplitView).halves]


def on_screen(app) -> str:
    """Every line of the screen as a person sees it."""
    return "\n".join(screen_lines(app))


async def open_split(app, pilot) -> SplitView:
    await pilot.pause()
    await pilot.press("backslash")
    await until(pilot, lambda: app.query_one("#tabs", TabbedContent).active == "split")
    await pilot.pause()
    return app.query_one(SplitView)


async def test_split_shows_this_tab_and_the_next_stacked_at_80_side_by_side_at_160(saves):
    for size, side_by_side in (((80, 24), False), ((160, 45), True)):
        app = make_app("starter", "two-million-tokens-a-day")
        async with app.run_test(size=size) as pilot:
            split = await open_split(app, pilot)
            names = [v.doc.title for v in app.views()]
            for title, v in zip(titles(app), app.views(), strict=True):
                assert title.lstrip("◧◨ ") == f"{v.doc.title} · {v.doc.scenario.name}"
            left, right = split.halves
            await pilot.pause()
            if side_by_side:
                assert left.region.y == right.region.y and left.region.right <= right.region.x
            else:
                assert left.region.x == right.region.x and left.region.bottom <= right.region.y
            screen = on_screen(app)
            for name in names:
                assert name in screen
            # Each half shows its own scenario's results: a TCO of each is on the screen.
            for v, half in zip(app.views(), split.halves, strict=True):
                assert half.doc is v.doc
                a = v.doc.analysis()
                assert half.query_one(ResultsTable).row_count
                assert fmt.money(a.results.options[0].tco, a.scenario.currency) in screen


async def test_pane_keys_switch_both_halves_together(saves):
    app = make_app("starter", "two-million-tokens-a-day")
    async with app.run_test(size=(80, 24)) as pilot:
        split = await open_split(app, pilot)
        for key, pane in (("f6", "ladder"), ("G", "plots"), ("f8", "risks"), ("R", "results")):
            await pilot.press(key)
            await pilot.pause()
            assert [h.query_one(ContentSwitcher).current for h in split.halves] == [pane, pane], key
        assert "Recommendation" not in on_screen(app)
        await pilot.press("L")
        await pilot.pause()
        await pilot.pause()
        assert on_screen(app).count("Recommendation") == 2  # one ladder per half


async def test_split_opens_on_the_pane_the_tab_showed_and_follows_an_edit(saves):
    app = make_app("starter", "two-million-tokens-a-day")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        view = app.active_view()
        await pilot.press("f1", "right", "9", "9", "enter")  # a dearer first API model
        await pilot.pause()
        await pilot.press("f6")
        split = await open_split(app, pilot)
        assert split.halves[0].query_one(ContentSwitcher).current == "ladder"
        await pilot.press("f5")
        await pilot.pause()
        a = view.doc.analysis()
        assert split.halves[0].doc is view.doc
        shown = on_screen(app)
        assert fmt.money(a.results.options[0].tco, a.scenario.currency) in shown
        # Edited again in its own tab, the split shows the new figures when it comes back.
        await pilot.press("less_than_sign", "less_than_sign", "less_than_sign")
        await until(pilot, lambda: app.active_view() is view)
        await pilot.press("f1", "right", "1", "enter")
        await pilot.pause()
        await open_split(app, pilot)
        a2 = view.doc.analysis()
        assert a2 is not a
        assert fmt.money(a2.results.options[0].tco, a2.scenario.currency) in on_screen(app)


async def test_backslash_on_the_split_changes_the_right_scenario(saves):
    app = make_app("starter", "two-million-tokens-a-day", "loan-underwriting-100k")
    async with app.run_test(size=(160, 45)) as pilot:
        await open_split(app, pilot)
        names = [v.doc.title for v in app.views()]
        assert names[1] in titles(app)[1]
        await pilot.press("backslash")
        await pilot.pause()
        assert names[0] in titles(app)[0] and names[2] in titles(app)[1]
        await pilot.press("vertical_line")
        await pilot.pause()
        assert names[1] in titles(app)[0] and names[2] in titles(app)[1]


async def test_the_palette_offers_the_split_view(saves):
    app = make_app("starter", "two-million-tokens-a-day")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Split view" in commands
        await commands["Split view"].callback()
        await until(pilot, lambda: app.query_one("#tabs", TabbedContent).active == "split")


async def test_summary_line_shows_the_edit_in_the_same_refresh_at_80x24(saves):
    app = make_app("starter", "two-million-tokens-a-day")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.active_view()
        before = view.doc.analysis()
        focus = view.focus_option
        await pilot.press("f1", "right", "9", "9", "enter")
        await pilot.pause()
        a = view.doc.analysis()
        o, old = a.results.options[focus], before.results.options[focus]
        cur = a.scenario.currency
        line = str(view.query_one("#summary").render())
        assert view.query_one("#inputs-side").display  # the grids are on screen, and the line with them
        assert (a.ladder.recommendation.option or "") in line
        assert fmt.money(o.tco, cur) in line
        assert f"(+{fmt.money(o.tco - old.tco, cur)}" in line
        assert o.is_baseline or fmt.months(o.breakeven_month) in line or "pays back" in line
        screen = on_screen(app)
        for part in line.split("\n"):  # whole on the screen, not cut at the 80th column
            assert part in screen


async def test_compare_table_shows_every_label_whole_moves_with_j_and_enter_shows_a_row(saves):
    app = make_app("starter", "two-million-tokens-a-day")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await until(pilot, lambda: app.query_one("#tabs", TabbedContent).active == "compare")
        await pilot.pause()
        view = app.query_one(CompareView)
        table = view.table
        caption = str(view.query_one("#compare-caption").render())
        n_diff = sum(1 for r in view.rows if any(r["differs"]))
        assert f"({n_diff} of {len(view.rows)} rows" not in on_screen(app)  # the old, cut header
        assert f"{n_diff} of {len(view.rows)} rows differ" in on_screen(app)
        assert caption.endswith(view.labels[0])  # the first scenario's name whole
        start = table.cursor_row
        await pilot.press("j")
        await pilot.pause()
        assert table.cursor_row == start + 1
        await pilot.press("k")
        await pilot.pause()
        assert table.cursor_row == start
        seen_labels = set()
        for _ in range(table.row_count - 1):
            await pilot.press("j")
            row = view.row_at_cursor()
            if row is None:
                continue
            await pilot.pause()
            detail = str(view.query_one("#compare-detail").render()).replace("\n", " ")
            assert row["label"] in detail
            for value in row["values"]:
                assert value in detail
            seen_labels.add(row["label"])
        assert seen_labels == {r["label"] for r in view.rows}
        # The rows that read alike when cut (two options' TCO) are told apart, and Enter shows one whole.
        long_row = max(view.rows, key=lambda r: len(r["label"]) + sum(len(v) for v in r["values"]))
        table.move_cursor(row=table.get_row_index(long_row["key"]))
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TextScreen))
        shown = str(app.screen.query_one(Static).render())
        assert long_row["label"].split(" · ")[-1] in shown
        for value in long_row["values"]:
            assert value in shown
        static = app.screen.query_one(Static)
        assert static.region.height >= shown.count("\n") + 1  # not clipped by the dialog
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, TextScreen))


async def test_the_palette_on_the_split_switches_both_halves(saves):
    app = make_app("starter", "two-million-tokens-a-day")
    async with app.run_test(size=(80, 24)) as pilot:
        split = await open_split(app, pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Split: Risks"].callback()
        await pilot.pause()
        assert [h.query_one(ContentSwitcher).current for h in split.halves] == ["risks", "risks"]
