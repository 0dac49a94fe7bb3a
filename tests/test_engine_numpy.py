"""The engine's two evaluations of the same formula trees agree: numpy (one scenario, `monthly_arrays`,
`steady_arrays`) and polars (batches, `monthly_frame`, `steady_frame`), column by column."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from fuzzing import scenario_dicts
from hypothesis import HealthCheck, given, settings

from workbench.model import engine
from workbench.model.scenario import Scenario
from workbench.store import files
from workbench.store.paths import presets_dir

PRESETS = sorted(presets_dir().glob("*.toml"))


def same_column(name: str, a: np.ndarray, b: pl.Series) -> None:
    b_np = b.to_numpy()
    assert len(a) == len(b_np), name
    if b.dtype == pl.Boolean or a.dtype == bool:
        assert a.tolist() == b.to_list(), name
        return
    a = a.astype(np.float64)
    b_np = b_np.astype(np.float64)  # polars null -> NaN
    assert np.array_equal(np.isnan(a), np.isnan(b_np)), name
    assert np.array_equal(np.isinf(a), np.isinf(b_np)), name
    ok = np.isfinite(a)
    np.testing.assert_allclose(a[ok], b_np[ok], rtol=1e-12, atol=1e-300, err_msg=name)


def check(s: Scenario) -> None:
    rows = engine.inputs(s)
    H = s.horizon_months
    polars_frame = engine.monthly_frame(rows, H)
    numpy_frame = engine.monthly_arrays(engine.input_arrays(s), H)
    assert list(numpy_frame) == polars_frame.columns
    for c in polars_frame.columns:
        same_column(c, numpy_frame[c], polars_frame[c])
    # The frame a Results hands out in polars is the polars engine's frame.
    r = engine.compute(s)
    if not r.options:
        return
    assert r.monthly.schema == polars_frame.schema
    summary = engine.summarize(polars_frame).sort("opt")
    for o in r.options:
        rec = summary.row(o.index, named=True)
        assert o.breakeven_month == rec["breakeven_month"]
        assert o.tco == pytest.approx(rec["tco"], rel=1e-12)
        assert o.month1 == pytest.approx(rec["month1"], rel=1e-12)
        # A count near 1e16 is past float64's whole-number range (spacing 2): the two engines may round the
        # last unit apart, so counts compare to the same relative precision as the money.
        if rec["gpus_at_horizon"] is None:
            assert o.gpus_at_horizon is None
        else:
            assert o.gpus_at_horizon == pytest.approx(int(rec["gpus_at_horizon"]), rel=1e-12)
    volumes = np.concatenate(([0.0], np.logspace(-2, 9, 50)))
    if rows.height:
        steady = engine.steady_frame(rows, volumes)["steady"].to_numpy().reshape(rows.height, len(volumes))
        np.testing.assert_allclose(engine.steady_costs(rows, volumes), steady, rtol=1e-12)


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_numpy_and_polars_engines_agree_on_presets(path):
    check(files.load(path))


@settings(
    max_examples=100, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(scenario_dicts())
def test_numpy_and_polars_engines_agree_on_random_scenarios(raw):
    try:
        s = files.from_dict(raw)
    except files.ScenarioError:
        return  # refused on purpose (a cross-check); the fuzz tests cover refusals
    check(s)
