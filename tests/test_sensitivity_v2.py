"""Sensitivity on a version-2 scenario: every new numeric input of docs/model.md section 6 is moved, and
each move changes the TCO difference exactly as the engine does on a scenario copy with that value."""

from __future__ import annotations

import pytest
from scenarios_v2 import HYBRID, hybrid, with_value

from workbench.model import columns
from workbench.model.engine import compute
from workbench.model.scenario import Scenario, validate
from workbench.model.sensitivity import sensitivity


def tco_difference(s: Scenario, a: str, b: str) -> float:
    r = compute(s)
    return r.option(a).tco - r.option(b).tco


# (A, B) pairs, and the new inputs each must move.
PAIRS = {
    ("Tuned mini", "API"): {
        "options[Tuned mini].go_live_month",
        "options[Tuned mini].fallback_share",
        "api_models[mini].training_per_mtok",
        "training.epochs",
        "training.tokens_per_example",
        # the fallback's own fields and prices feed Tuned mini's fallback term
        "options[API + RAG, cached].review_rate",
        "api_models[big].cached_input",
    },
    ("RFT", "API"): {
        "options[RFT].go_live_month",
        "options[RFT].fallback_share",
        "api_models[rl].training_per_mtok",
        "api_models[rl].training_per_hour",
    },
    ("Continued", "Scratch"): {
        "options[Continued].pretrain_tokens",
        "options[Scratch].go_live_month",
        "pretraining.params",
        "pretraining.mfu",
        "pretraining.attempts",
        "gpus[H100].hourly",
        "gpus[H100].bf16_tflops",
    },
}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    # tokens_per_example set, so a relative move of it changes something
    return hybrid(training={**HYBRID["training"], "tokens_per_example": 1200})


@pytest.mark.parametrize("pair", list(PAIRS))
def test_every_new_input_moves_the_tco_as_the_engine_says(scenario, pair):
    a, b = pair
    sens = sensitivity(scenario, option=a, against=b)
    moved = {e.path: e for e in sens.effects}
    assert PAIRS[pair] <= set(moved), PAIRS[pair] - set(moved)
    assert sens.diff == pytest.approx(tco_difference(scenario, a, b), rel=1e-12)
    for path in PAIRS[pair]:
        e = moved[path]
        assert e.swing > 0, path
        for value, got in ((e.low, e.diff_low), (e.high, e.diff_high)):
            want = tco_difference(with_value(scenario, path, value), a, b)
            assert got == pytest.approx(want, rel=1e-9, abs=1e-6), (path, value)


def test_go_live_month_moves_by_whole_months(scenario):
    sens = sensitivity(scenario, option="Tuned mini", against="API")
    e = next(e for e in sens.effects if e.path == "options[Tuned mini].go_live_month")
    assert (e.low, e.base, e.high) == (1, 2, 3) and e.integer


def test_a_fallback_move_on_an_option_serving_all_its_traffic_prices_the_fallback():
    """Rollout [1.0]: s = 1 every month, so the row carries no fallback prices; moving its go-live month
    sends month 1 to the baseline, which must then be paid."""
    data = {**HYBRID, "options": [*HYBRID["options"][:2], {**HYBRID["options"][6], "rollout": [1.0]}]}
    s = validate(data)
    sens = sensitivity(s, option="Continued", against="API")
    e = next(e for e in sens.effects if e.path == "options[Continued].go_live_month")
    want = tco_difference(with_value(s, e.path, e.high), "Continued", "API")
    assert e.diff_high == pytest.approx(want, rel=1e-9)
    assert e.diff_high != pytest.approx(sens.diff)


def test_new_inputs_are_listed_only_where_they_matter():
    """A version-1 preset lists none of them; the hybrid's API-only pair lists no pre-training input."""
    from helpers import LOAN

    from workbench.store import files

    loan = files.load(LOAN)
    paths = {str(p) for p in columns.input_paths(loan)}
    new = ("go_live_month", "fallback_share", "pretrain", "training_per_", "epochs", "tokens_per_example")
    assert not [p for p in paths if any(k in p for k in new)]
    assert not [p for p in paths if "bf16" in p]
    s = hybrid()
    k = [o.name for o in s.options].index
    api_only = {str(p) for p in columns.input_paths(s, [k("API"), k("API + RAG, cached")])}
    assert not [p for p in api_only if "pretrain" in p or "bf16" in p or "epochs" in p]


def test_cells_of_the_fallback_option_and_the_pretraining_gpu():
    s = hybrid()
    names = [o.name for o in s.options]
    cells = columns.cells(s, columns.check(s, "options[API + RAG, cached].review_rate"))
    assert (names.index("API + RAG, cached"), "review_rate") in cells
    assert (names.index("Tuned mini"), "fb_review_rate") in cells
    assert (names.index("On-demand 8B"), "fb_review_rate") in cells
    assert (names.index("RFT"), "fb_review_rate") not in cells  # RFT falls back to the baseline
    big = columns.cells(s, columns.check(s, "api_models[big].input"))
    assert (names.index("RFT"), "fb_p_in") in big and (names.index("Tuned mini"), "fb_p_in") in big
    assert (names.index("Continued"), "fb_p_in") not in big  # serves all its traffic
    tflops = columns.cells(s, columns.check(s, "gpus[H100].bf16_tflops"))
    assert {c for _, c in tflops} == {"pt_tflops"} and len(tflops) == len(names)
    hourly = {c for _, c in columns.cells(s, columns.check(s, "gpus[H100].hourly"))}
    assert {"hourly", "pt_hourly"} <= hourly
    assert columns.value(s, columns.check(s, "gpus[H100].bf16_tflops")) == 989
    assert columns.label(columns.check(s, "gpus[H100].bf16_tflops")) == "H100 BF16 peak TFLOPS"
