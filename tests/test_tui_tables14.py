"""Issue 14's key and format problems in the tables, as a user meets them (each failed before the fix):
moving down stopped on a section-header row where typed digits vanished; one column mixed `1500` and
`20,000`; ticking a risk re-sorted the list under the cursor; a `|` in a name broke the Markdown table;
Results headers cut option names (`Fine-tuned 7B, H100 (R`, `8B, batch o`)."""

from __future__ import annotations

import re

import pytest
from helpers import PRESETS, make_app, screen_lines, until
from test_cut import found_whole

from workbench.model.report import analyze, to_markdown
from workbench.session import exports
from workbench.store import files
from workbench.tui.grids.grid import FieldGrid
from workbench.tui.panes.tables import RiskTable


async def workload_grid(pilot, app, path: tuple) -> FieldGrid:
    view = app.active_view()
    view.action_pane("workload")
    await pilot.pause()
    grid = view.query_one("#grid-workload", FieldGrid)
    grid.focus()
    await pilot.pause()
    grid.move_cursor(row=grid._rows.index(path))
    await pilot.pause()
    return grid


async def test_moving_down_passes_over_a_section_header_and_digits_land(saves):
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await workload_grid(pilot, app, ("horizon_months",))  # the Scenario section's last field
        await pilot.press("down")
        await pilot.pause()
        assert grid.current_path() == ("workload", "requests_per_day")
        await pilot.press("5", "0", "0", "enter")
        await until(pilot, lambda: app.active_view().doc.scenario.workload.requests_per_day == 500)
        await pilot.press("up")
        await pilot.pause()
        assert grid.current_path() == ("horizon_months",)
        await pilot.press("j")
        await pilot.pause()
        assert grid.current_path() == ("workload", "requests_per_day")


async def test_moving_up_from_the_first_field_stays_on_a_field(saves):
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await workload_grid(pilot, app, ("name",))
        await pilot.press("up")
        await pilot.pause()
        assert grid.current_path() == ("name",)


async def test_numbers_in_one_column_share_one_format(saves):
    app = make_app("starter")
    async with app.run_test(size=(160, 45)) as pilot:
        await workload_grid(pilot, app, ("workload", "requests_per_day"))
        lines = screen_lines(app)
        row = next(line for line in lines if "input tokens" in line)
        assert "1,500" in row, row  # beside "20,000" two rows up: grouped the same way
        assert any("20,000" in line for line in lines)


async def test_ticking_a_risk_keeps_the_list_and_the_cursor_where_they_are(saves):
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.active_view()
        view.action_pane("risks")
        await pilot.pause()
        table = view.query_one(RiskTable)
        table.focus()
        await pilot.pause()
        before = [x.id for x in table._order]
        first = table.current()
        assert first is not None and first.flagged
        await pilot.press("space")
        await until(
            pilot, lambda: table.current() is not None and table.current().mitigated != first.mitigated
        )
        assert [x.id for x in table._order] == before
        assert table.cursor_coordinate.row == 0 and table.current().id == first.id
        await pilot.press("down", "space")  # the next tick lands on the risk the user sees next
        await pilot.pause()
        assert table.current().id == before[1]


def _renamed(preset: str, name: str):
    s = files.load(PRESETS / f"{preset}.toml")
    first = s.options[0].model_copy(update={"name": name})
    return s.model_copy(update={"options": [first, *s.options[1:]]})


def test_markdown_table_keeps_its_columns_with_a_pipe_in_a_name(tmp_path):
    a = analyze(_renamed("starter", "API | prompting"))
    for text in (to_markdown(a), exports.write_summary(a, "pipes", folder=tmp_path).read_text()):
        rows = [line for line in text.splitlines() if line.startswith("|")]
        cells = [len(re.split(r"(?<!\\)\|", row)) for row in rows]
        assert len(set(cells)) == 1, rows
        assert any("API \\| prompting" in row for row in rows)


@pytest.mark.parametrize("preset", ("loan-underwriting-100k", "10k-extraction"))
async def test_results_headers_show_every_option_name_whole_at_80_columns(saves, preset):
    app = make_app(preset)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.active_view() is not None and app.active_view().query("DataTable"))
        view = app.active_view()
        view.action_pane("results")
        await until(pilot, lambda: any("Month 1" in line for line in screen_lines(app)))
        lines = screen_lines(app)
        for o in view.doc.scenario.options:
            assert found_whole(lines, o.name), (o.name, lines[4:10])
