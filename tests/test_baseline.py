"""The engine against an independent, plain-Python implementation of docs/model.md section 2.

benchmarks/baseline.py is the benchmark's point of comparison and shares no code with the engine: when
both give the same TCO on every preset (and on a synthetic scenario that takes every branch of the
formulas), a slip in either shows here.
"""

from __future__ import annotations

import sys

import pytest
from helpers import ROOT  # noqa: E402

from workbench.model import montecarlo
from workbench.model.engine import compute
from workbench.store import files

sys.path.insert(0, str(ROOT / "benchmarks"))

import baseline  # noqa: E402
import synthetic  # noqa: E402

PRESETS = sorted((ROOT / "presets").glob("*.toml"))


def _check(s) -> None:
    d = s.model_dump()
    r = compute(s)
    totals = baseline.monthly_totals(d)
    assert [o.tco for o in r.options] == pytest.approx([sum(t) for t in totals], rel=1e-9, abs=1e-9)
    for o, months in zip(r.options, totals, strict=True):
        assert r.series(o.index, "total") == pytest.approx(months, rel=1e-9, abs=1e-9), o.name
    base = baseline.baseline_index(d)
    assert [o.breakeven_month for o in r.options] == baseline.breakeven_months(totals, base)


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_engine_tco_equals_plain_python_on_every_preset(path):
    _check(files.load(path))


def test_engine_equals_plain_python_on_the_large_synthetic_scenario():
    _check(synthetic.large_scenario())


def test_baseline_sees_an_edit():
    """The comparison can fail: a changed input moves the baseline's TCO as it moves the engine's."""
    s = files.load(ROOT / "presets" / "starter.toml")
    d = s.model_dump()
    before = baseline.tcos(d)
    baseline.set_path(d, "workload.requests_per_day", s.workload.requests_per_day * 2)
    after = baseline.tcos(d)
    assert after != before
    s2 = s.model_copy(
        update={
            "workload": s.workload.model_copy(update={"requests_per_day": s.workload.requests_per_day * 2})
        }
    )
    assert [o.tco for o in compute(s2).options] == pytest.approx(after, rel=1e-9)


def _engine_draws(s, n: int, seed: int) -> list[dict]:
    """The draws `montecarlo.simulate` makes, per path (its own sampling order and clipping)."""
    import numpy as np

    from workbench.model import columns, montecarlo

    rng = np.random.default_rng(seed)
    per_path = {}
    for path, r in s.uncertainty.items():
        b = columns.bounds(columns.check(s, path))
        v = montecarlo.draw(r, n, rng)
        if b.integer:
            v = np.floor(v + 0.5)
        lo = b.clamp(-np.inf) if b.low is not None else -np.inf
        hi = b.clamp(np.inf) if b.high is not None else np.inf
        per_path[path] = np.clip(v, lo, hi)
    return [{p: float(v[k]) for p, v in per_path.items()} for k in range(n)]


@pytest.mark.parametrize("name", ["starter", "synthetic"])
def test_monte_carlo_equals_plain_python_on_the_same_draws(name):
    """The batch Monte Carlo (partially evaluated formulas, one polars batch) against a loop over draws."""
    if name == "starter":
        s = files.load(ROOT / "presets" / "starter.toml")
    else:
        big = synthetic.large_scenario_dict(12, 36)
        big["uncertainty"] = {
            "workload.requests_per_day": {"low": 20000, "high": 200000, "dist": "lognormal"},
            "gpus[H100].hourly": {"low": 1.2, "high": 3.0, "dist": "triangular", "mode": 2.0},
            "options[Option 8].min_gpu_hours_per_month": {"low": 0, "high": 2000},
            "training.runs": {"low": 4, "high": 20},
        }
        from workbench.model.scenario import validate

        s = validate(big)
    assert s.uncertainty, "the scenario needs [uncertainty] ranges"
    n, seed = 300, 7
    sim = montecarlo.simulate(s, n, seed)
    plain = baseline.monte_carlo(s.model_dump(), n, values=_engine_draws(s, n, seed))
    for o in sim.options:
        b = plain["options"][o.name]
        assert (o.p10, o.p50, o.p90, o.mean) == pytest.approx(
            (b["p10"], b["p50"], b["p90"], b["mean"]), rel=1e-9
        )
        assert o.p_cheapest == pytest.approx(b["p_cheapest"])
        if not o.is_baseline:
            be = b["breakeven_month"]
            assert o.breakeven_counts == be["counts"]
            assert o.never == be["never"]
            assert (o.breakeven_p10, o.breakeven_p50, o.breakeven_p90) == (be["p10"], be["p50"], be["p90"])
