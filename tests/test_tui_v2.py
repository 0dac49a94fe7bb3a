"""Version 2 in the TUI (docs/model.md section 6): the new keys in the grids, a version-1 tab made
version 2 by an edit, and the fallback, pre-training and go-live months in the results and plots."""

from __future__ import annotations

from helpers import STARTER, until

from workbench.model import scenario as sc
from workbench.model.engine import COMPONENTS
from workbench.session.document import Document
from workbench.store import files
from workbench.tui.app import WorkbenchApp
from workbench.tui.grids.grid import FieldGrid, RowGrid, column_order
from workbench.tui.panes import plots, registry
from workbench.tui.panes.plots import Chart, PlotsPane
from workbench.tui.panes.tables import BreakdownTable
from workbench.tui.view import ScenarioView

HYBRID = """
schema_version = 2
name = "hybrid"
horizon_months = 12
[workload]
requests_per_day = 10000
input_tokens = 1000
output_tokens = 500
peak_to_average = 2
[training]
gpu = "H100"
hours_per_run = 5
runs = 4
examples = 2000
[pretraining]
gpu = "H100"
[[api_models]]
name = "big"
input = 2.5
output = 10
[[api_models]]
name = "mini"
input = 0.3
output = 1.2
training_per_mtok = 3.0
[[gpus]]
name = "H100"
hourly = 2.0
bf16_tflops = 989
[[options]]
name = "API"
model = "big"
[[options]]
name = "Tuned mini"
model = "mini"
fine_tune = true
train_on = "provider"
go_live_month = 2
rollout = [0.05, 0.25]
fallback_share = 0.1
[[options]]
name = "Self 8B"
serve = "self_hosted"
gpu = "H100"
fine_tune = true
tokens_per_second_per_gpu = 1000
go_live_month = 4
rollout = [0.05, 0.25, 0.5]
[[options]]
name = "Scratch"
serve = "self_hosted"
gpu = "H100"
tokens_per_second_per_gpu = 1000
pretrain = "scratch"
"""


def hybrid_app(tmp_path) -> WorkbenchApp:
    path = tmp_path / "hybrid.toml"
    path.write_text(HYBRID)
    return WorkbenchApp([Document(files.load(path), path)])


def starter_app() -> WorkbenchApp:
    path = STARTER  # the version-1 starter: typing a go-live month makes it version 2
    return WorkbenchApp([Document(files.load(path), path)])


def status(view: ScenarioView) -> str:
    return str(view.query_one("#status").render())


async def goto_cell(pilot, view: ScenarioView, row: int, field: str) -> RowGrid:
    view.action_pane("options")
    await pilot.pause()
    grid = view.query_one("#grid-options", RowGrid)
    grid.focus()
    grid.move_cursor(row=row, column=grid.columns_order.index(field))
    await pilot.pause()
    return grid


# --- the grids, generated from the schema ---------------------------------------------------------------


def test_every_option_key_is_a_column_once_version_2_keys_beside_how_it_is_built():
    order = column_order("options")
    assert sorted(order) == sorted(sc.Option.model_fields)
    at = order.index("teacher")
    assert order[at + 1 : at + 8] == [
        "train_on",
        "pretrain",
        "pretrain_tokens",
        "go_live_month",
        "rollout",
        "fallback_share",
        "fallback",
    ]
    assert column_order("api_models") == list(sc.ApiModel.model_fields)  # training prices included
    assert "bf16_tflops" in column_order("gpus")


def test_every_scenario_table_is_edited_in_some_pane():
    shown: set[str] = set()
    for pane in registry.PANES:
        for w in pane.build():
            if isinstance(w, FieldGrid):
                shown |= {s.table for s in w.sections if s.table}
    assert shown == set(sc.TABLES), set(sc.TABLES) - shown


def test_every_component_has_a_label_a_colour_and_a_fill():
    for table in (plots.COMPONENT_LABELS, plots.COMPONENT_COLORS, plots.COMPONENT_FILLS):
        assert set(table) == set(COMPONENTS)
    assert plots.COMPONENT_LABELS["pretraining"] == "pre-training"
    assert len(set(plots.COMPONENT_COLORS.values())) == len(COMPONENTS)
    assert len(set(plots.COMPONENT_FILLS.values())) == len(COMPONENTS)


# --- a version-1 tab made version 2, at 80 columns -----------------------------------------------------


async def test_go_live_and_rollout_typed_at_80x24_make_the_tab_version_2(saves):
    app = starter_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.active_view()
        assert view.doc.scenario.schema_version == 1
        grid = await goto_cell(pilot, view, 2, "go_live_month")  # the fine-tuned option
        await pilot.press("4", "enter")
        await until(pilot, lambda: view.doc.scenario.options[2].go_live_month == 4)
        assert view.doc.scenario.schema_version == 2
        said = status(view)
        assert said == "✔ Options › Fine-tuned 8B, self-hosted › go live month = 4 · now schema v2"
        assert len(said) <= 78  # the status line has 78 columns at 80 (a space of padding each side)

        grid.move_cursor(column=grid.columns_order.index("rollout"))
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: view.editing)
        view.query_one("#edit-input").value = "120%"
        await pilot.press("enter")
        await pilot.pause()
        error = str(view.query_one("#edit-error").render())
        assert "[[options]][3].rollout" in error and "above 100%" in error
        assert view.doc.scenario.options[2].rollout == []
        view.query_one("#edit-input").value = "5%, 25%"
        await pilot.press("enter")
        await until(pilot, lambda: view.doc.scenario.options[2].rollout == [0.05, 0.25])
        said = status(view)
        assert said == "✔ Options › Fine-tuned 8B, self-hosted › rollout = 5%, 25%"  # version 2: said once
        assert grid.get_cell("2", "rollout").plain == "5%, 25%"

        table = view.query_one(BreakdownTable)
        view._set_focus_option(2)
        keys = [c.key.value for c in table.ordered_columns]
        assert keys[:3] == ["m", "total", "cumulative"]  # in view at 80 columns
        assert keys.index("fallback") <= 6  # the largest components first: four are in view at 80 columns
        fallback = view.doc.analysis().results.series(2, "fallback")
        assert fallback[0] > fallback[3] > fallback[4] > fallback[5] == 0  # 0%, 5%, 25%, then all served


async def test_space_cycles_version_2_choices(saves, tmp_path):
    app = hybrid_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        await goto_cell(pilot, view, 1, "train_on")
        await pilot.press("space")
        await until(pilot, lambda: view.doc.scenario.options[1].train_on == "gpu")
        await goto_cell(pilot, view, 3, "pretrain")
        await pilot.press("space")  # scratch -> none
        await until(pilot, lambda: view.doc.scenario.options[3].pretrain == "none")
        await goto_cell(pilot, view, 2, "pretrain")
        await pilot.press("space")  # none -> scratch: continued would need pretrain_tokens
        await until(pilot, lambda: view.doc.scenario.options[2].pretrain == "scratch")


async def test_a_long_refusal_is_read_in_full_at_80_columns(saves):
    app = starter_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.active_view()
        await goto_cell(pilot, view, 2, "pretrain")
        await pilot.press("space")  # no pre-training GPU yet: refused, naming the option and the key
        st = view.query_one("#status")
        await until(pilot, lambda: st.has_class("error"))
        said = status(view)
        assert "pretrain" in said and view.doc.scenario.options[2].pretrain == "none"
        assert len(said) > 78 * 2 and st.size.height == 3, said  # 165 characters: three lines of 78
        await pilot.press("right")  # the next message is one line again
        await until(pilot, lambda: view.query_one("#status").size.height == 1)


# --- results, breakdown and plots -----------------------------------------------------------------------


async def test_fallback_pretraining_and_go_live_are_shown(saves, tmp_path):
    app = hybrid_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        view = app.active_view()
        view.action_pane("plots")
        pane = view.query_one(PlotsPane)
        cumulative = view.query_one("#plot-cumulative", Chart)
        breakdown = view.query_one("#plot-breakdown", Chart)
        await until(pilot, lambda: "go-live" in str(cumulative.render()))
        text = str(cumulative.render())
        assert "▲go-live m2" in text and "▲go-live m4" in text  # the legend, per option
        assert cumulative.last_error is None

        for index, component, label in ((2, "fallback", "fallback API"), (3, "pretraining", "pre-training")):
            view._set_focus_option(index)
            pane.switch(2)  # the stacked plot
            await pilot.pause()
            assert label in [item.label for item in breakdown.legend]
            await until(pilot, lambda label=label: label in str(breakdown.render()))
            assert breakdown.last_error is None
            keys = [c.key.value for c in view.query_one(BreakdownTable).ordered_columns]
            assert component in keys
