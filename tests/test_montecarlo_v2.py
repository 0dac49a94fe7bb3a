"""Monte Carlo on a version-2 scenario: every new numeric input of docs/model.md section 6 can be given a
range, and each draw's TCO is the engine's TCO on a scenario copy with the drawn value."""

from __future__ import annotations

import pytest
from scenarios_v2 import HYBRID, with_value

from workbench.model import columns, montecarlo
from workbench.model.engine import compute
from workbench.model.scenario import validate

RANGES = {
    "options[Tuned mini].go_live_month": {"low": 1, "high": 6, "dist": "uniform"},
    "options[Tuned mini].fallback_share": {"low": 0.0, "high": 0.4, "dist": "uniform"},
    "options[Continued].go_live_month": {"low": 1, "high": 4, "dist": "uniform"},  # rolls out only if drawn
    "options[Continued].pretrain_tokens": {"low": 2e10, "high": 1e11, "dist": "lognormal"},
    "api_models[mini].training_per_mtok": {"low": 2, "high": 5, "dist": "triangular"},
    "api_models[rl].training_per_hour": {"low": 50, "high": 200, "dist": "uniform"},
    "training.epochs": {"low": 1, "high": 4, "dist": "uniform"},
    "training.tokens_per_example": {"low": 800, "high": 2500, "dist": "uniform"},
    "pretraining.params": {"low": 1e9, "high": 3e10, "dist": "lognormal"},
    "pretraining.mfu": {"low": 0.3, "high": 0.5, "dist": "uniform"},
    "pretraining.attempts": {"low": 1, "high": 3, "dist": "uniform"},
    "gpus[H100].hourly": {"low": 1.5, "high": 3, "dist": "uniform"},
    "gpus[H100].bf16_tflops": {"low": 700, "high": 1000, "dist": "uniform"},
}


@pytest.mark.parametrize("path", list(RANGES))
def test_each_draw_is_the_engine_on_a_copy_with_the_drawn_value(path):
    s = validate({**HYBRID, "uncertainty": {path: RANGES[path]}})
    draws = 6
    sim = montecarlo.simulate(s, draws=draws, seed=3)
    assert sim.tco is not None
    p = columns.check(s, path)
    col_values = montecarlo.sample(s, draws, 3)
    opt, col = columns.cells(s, p)[0]
    drawn = col_values[col][:, opt]
    assert len(set(drawn.tolist())) > 1, "the range must move the input"
    if columns.bounds(p).integer:
        assert all(v == int(v) for v in drawn)  # whole months
    plain = validate(HYBRID)
    moved_any = False
    for d in range(3):
        r = compute(with_value(plain, path, float(drawn[d])))
        for i, o in enumerate(r.options):
            assert sim.tco[i, d] == pytest.approx(o.tco, rel=1e-9), (path, drawn[d], o.name)
        moved_any |= any(sim.tco[i, d] != o.tco for i, o in enumerate(compute(plain).options))
    assert moved_any, f"{path} changed no TCO"
