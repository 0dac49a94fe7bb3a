"""Issue 14, the tornado: changes rounded to the currency's cents (no float noise read as money), only the
inputs that feed one of the two options compared, and a breakeven said in words ("does not pay back")."""

from __future__ import annotations

import re

import pytest
from helpers import PRESETS, make_app, run_cli, until

from workbench.model.engine import compute
from workbench.model.sensitivity import sensitivity
from workbench.store import files

ALL = sorted(p.stem for p in PRESETS.glob("*.toml"))
# A money figure in scientific notation: the float noise `+$1.1e-08` of a sum taken in another order.
NOISE = re.compile(r"[$€£¥₹]\d(\.\d+)?e-\d")


@pytest.mark.parametrize("name", ALL)
def test_cli_tornado_prints_no_float_noise_and_no_unchanged_input(name):
    out = run_cli("sensitivity", str(PRESETS / f"{name}.toml")).stdout
    assert not NOISE.search(out), out
    assert "±$0" not in out  # an input that moves nothing is not ranked as a change of "±$0"
    assert "month never" not in out


def test_cli_says_does_not_pay_back():
    out = run_cli("sensitivity", str(PRESETS / "starter.toml")).stdout
    head = out.splitlines()[1]
    assert head.endswith("does not pay back"), head


@pytest.mark.parametrize("name", ["travel-support-bot", "two-million-tokens-a-day"])
def test_every_listed_input_feeds_one_of_the_two_options(name):
    s = files.load(PRESETS / f"{name}.toml")
    res = sensitivity(s, compute(s))
    listed = {e.path for e in res.effects}
    # Two API options: nothing of fine-tuning enters their costs.
    assert "training.runs" not in listed and "overheads.labeling_cost_per_example" not in listed
    assert "training.runs" in res.changes_neither
    for e in res.effects:  # rounded to cents: a change is a whole number of cents, 0 when nothing moved
        for x in (e.change_low, e.change_high):
            assert round(x * 100) == pytest.approx(x * 100, abs=1e-6)


async def tornado(pilot, app):
    from workbench.tui.panes.analysis import SensitivityPane

    await pilot.press("f9")
    pane = app.active_view().query_one(SensitivityPane)
    await until(pilot, lambda: pane.result is not None)
    return pane


async def test_pane_shows_cents_and_feeds_only():
    from textual.widgets import DataTable

    app = make_app("travel-support-bot")
    async with app.run_test(size=(160, 45)) as pilot:
        pane = await tornado(pilot, app)
        table = pane.query_one("#sens-table", DataTable)
        cells = [str(c) for row in range(table.row_count) for c in table.get_row_at(row)]
        labels = [str(table.get_row_at(row)[1]) for row in range(table.row_count)]
        assert not any(NOISE.search(c) for c in cells), cells
        assert "training runs" not in labels  # two API options: training feeds neither
        sonnet = next(table.get_row_at(r) for r in range(table.row_count) if "output tokens" in labels[r])
        assert str(sonnet[2]) == "$0" and str(sonnet[3]) == "$0"


async def test_pane_says_does_not_pay_back():
    from textual.widgets import Static

    app = make_app("starter")  # its fine-tuned option does not pay back against the API
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await tornado(pilot, app)
        head = str(pane.query_one("#sens-head", Static).render())
        assert "does not pay back" in head and "month never" not in head


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_pane_table_shows_base_and_breakeven_whole(size):
    from textual.widgets import DataTable

    app = make_app("starter")
    async with app.run_test(size=size) as pilot:
        pane = await tornado(pilot, app)
        await pilot.pause()
        table = pane.query_one("#sens-table", DataTable)
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= table.scrollable_content_region.width, "Base and B/E mo are cut"
        for key in ("base", "be", "range"):
            col = table.columns[next(k for k in table.columns if k.value == key)]
            i = list(table.columns).index(col.key)
            assert col.width >= max(len(str(table.get_row_at(r)[i])) for r in range(table.row_count))
