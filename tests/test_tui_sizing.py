"""The `S` dialog's engine, KV precision, latency limits and calibration; the fill it makes (tokens/s,
latency_ms and throughput_source in one undo step); and the Plots pane's sizing sweep."""

from __future__ import annotations

from helpers import until
from textual.widgets import Input, Static

from workbench.model import sizing
from workbench.model.scenario import Scenario
from workbench.session.document import Document
from workbench.store import files
from workbench.tui.app import WorkbenchApp
from workbench.tui.panes.plots import Chart, PlotsPane
from workbench.tui.screens.sizing import SizingDialog
from workbench.tui.view import ScenarioView


def starter() -> tuple[Scenario, int, int]:
    s = files.load("presets/starter.toml")
    hosted = next(i for i, o in enumerate(s.options) if o.serve == "self_hosted")
    api = next(i for i, o in enumerate(s.options) if o.serve == "api")
    return s, hosted, api


async def open_sizing(pilot, app: WorkbenchApp, row: int) -> SizingDialog:
    await pilot.press("f4")
    await until(pilot, lambda: getattr(app.focused, "id", "") == "grid-options")
    app.focused.move_cursor(row=row)
    await pilot.pause()
    await pilot.press("S")
    await until(pilot, lambda: isinstance(app.screen, SizingDialog) and app.screen.estimate is not None)
    assert isinstance(app.screen, SizingDialog)
    return app.screen


async def type_into(pilot, dialog: SizingDialog, wid: str, text: str) -> None:
    box = dialog.query_one(f"#{wid}", Input)
    box.focus()
    await pilot.pause()
    box.value = ""
    await pilot.press(*text)
    await until(pilot, lambda: box.value == text)


async def test_fill_is_one_undo_step_and_reopens_with_its_inputs(saves):
    s, hosted, _ = starter()
    app = WorkbenchApp([Document(s, None, "t")])
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ScenarioView)
        dialog = await open_sizing(pilot, app, hosted)
        # at 80x24 the result and the Enter/Esc hint are on screen, inside the dialog
        hint = dialog.query_one(".hint", Static)
        assert 0 < hint.region.y and hint.region.bottom <= 24 and hint.region.height >= 1
        assert "Enter fills" in str(hint.render()) and "Esc" in str(hint.render())
        assert dialog.query_one("#size-result", Static).region.height >= 4
        await type_into(pilot, dialog, "size-tpot", "50")
        await until(pilot, lambda: dialog.sizing is not None and dialog.sizing.max_tpot_ms == 50)
        e, sized = dialog.estimate, dialog.sizing
        assert e is not None and sized is not None and e.fits and e.tpot_ms <= 50
        steps = view.doc.pos
        await pilot.press("enter")
        await until(pilot, lambda: view.doc.pos == steps + 1)
        o = view.doc.scenario.options[hosted]
        assert o.tokens_per_second_per_gpu == round(e.tokens_per_second_per_gpu, 1)
        assert o.latency_ms == round(e.latency_ms, 1) and o.latency_ms > 0
        assert o.throughput_source == sized.source_text() and o.throughput_estimated
        status = str(view.query_one("#status").render())
        assert "tok/s per GPU, estimated" in status and "latency" in status
        back = sizing.Sizing.from_source(o.throughput_source)
        assert back is not None and back.max_tpot_ms == 50

        # S again on the same option starts from what was asked, and estimates the same
        dialog = await open_sizing(pilot, app, hosted)
        assert dialog.query_one("#size-tpot", Input).value == "50"
        assert dialog.query_one("#size-model", Input).value == "8B"  # as typed, not 8e+09
        assert dialog.estimate == e
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SizingDialog))
        assert view.doc.pos == steps + 1

        await pilot.press("u")  # one step undoes the three figures together
        await until(pilot, lambda: view.doc.scenario == s)


async def test_limits_give_a_smaller_batch_and_an_unmet_one_fills_nothing(saves):
    s, hosted, _ = starter()
    app = WorkbenchApp([Document(s, None, "t")])
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ScenarioView)
        dialog = await open_sizing(pilot, app, hosted)
        free = dialog.estimate
        assert free is not None and free.fits
        await type_into(pilot, dialog, "size-tpot", f"{free.tpot_ms * 0.6:.1f}")
        await until(pilot, lambda: dialog.estimate is not None and dialog.estimate.batch < free.batch)
        limited = dialog.estimate
        assert limited.tpot_ms <= free.tpot_ms * 0.6 + 0.05
        assert limited.tokens_per_second_per_gpu < free.tokens_per_second_per_gpu
        await type_into(pilot, dialog, "size-ttft", "0.01")  # no batch meets it
        await until(pilot, lambda: "raise or clear" in str(dialog.query_one("#size-result").render()))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SizingDialog) and view.doc.pos == 0


async def test_measured_throughput_calibrates(saves):
    s, hosted, _ = starter()
    app = WorkbenchApp([Document(s, None, "t")])
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_sizing(pilot, app, hosted)
        before = dialog.estimate
        assert before is not None and before.calibration == 1.0
        measured = round(before.output_tokens_per_second * 0.7)
        await type_into(pilot, dialog, "size-measured", str(measured))
        await until(pilot, lambda: dialog.estimate is not None and dialog.estimate.calibration != 1.0)
        after = dialog.estimate
        assert abs(after.output_tokens_per_second - measured) < measured * 0.01
        assert "calibrated" in str(dialog.query_one("#size-result").render())


async def test_the_plots_pane_draws_the_sweep_of_a_sized_option(saves):
    s, hosted, api = starter()
    app = WorkbenchApp([Document(s, None, "t")])
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ScenarioView)
        pane = view.query_one(PlotsPane)
        chart = view.query_one("#plot-sizing", Chart)

        async def shown_for(index: int) -> str:
            view._set_focus_option(index)
            view.action_pane("plots")
            pane.switch(pane.PLOT_IDS.index("plot-sizing"))
            await pilot.pause()
            await until(pilot, lambda: chart.region.height > 0)
            return chart.render().plain

        assert "served by an API" in await shown_for(api)
        text = await shown_for(hosted)
        assert "never sized" in text and "size it with S" in text

        await pilot.press("o")  # back to the inputs, then size the option
        dialog = await open_sizing(pilot, app, hosted)
        e = dialog.estimate
        await pilot.press("enter")
        await until(pilot, lambda: view.doc.scenario.options[hosted].throughput_source != "")
        text = await shown_for(hosted)
        assert chart.last_error is None
        assert text.startswith("4/4 Sizing sweep")
        assert f"filled at batch {e.batch}" in text and "tok/s per GPU" in text and "TPOT" in text


async def test_expert_layout_is_a_choice_of_the_dialog_and_comes_back(saves):
    from textual.widgets import Select

    s, hosted, _ = starter()
    app = WorkbenchApp([Document(s, None, "t")])
    async with app.run_test(size=(160, 45)) as pilot:
        view = app.query_one(ScenarioView)
        dialog = await open_sizing(pilot, app, hosted)
        await type_into(pilot, dialog, "size-model", "deepseek-v3")
        await type_into(pilot, dialog, "size-gpus", "8")
        dialog.query_one("#size-gpu", Select).value = "H200"
        dialog.query_one("#size-layout", Select).value = "ep"
        await until(pilot, lambda: dialog.sizing is not None and dialog.sizing.layout == "ep")
        await until(pilot, lambda: dialog.estimate is not None and dialog.estimate.layout == "ep")
        assert dialog.estimate.fits and dialog.estimate.expert_efficiency == sizing.EP_EXPERT_EFFICIENCY
        await pilot.press("enter")
        await until(pilot, lambda: view.doc.pos == 1)
        assert ", layout ep" in view.doc.scenario.options[hosted].throughput_source
        dialog = await open_sizing(pilot, app, hosted)
        assert dialog.query_one("#size-layout", Select).value == "ep"
        # a dense model with the expert-parallel layout says why in one line, and fills nothing
        await type_into(pilot, dialog, "size-model", "8B")
        await until(pilot, lambda: "expert count" in str(dialog.query_one("#size-result").render()))
