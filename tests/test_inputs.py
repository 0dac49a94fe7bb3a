"""The input table (workbench.model.inputs) is the one description of the formulas' inputs: every column a
formula reads is a row of it, every row is read, and what is generated from it (the engine's rows, the
paths explain prints, the sensitivity cells) agrees with the scenario."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from workbench.model import capacity, columns, engine, explain, inputs
from workbench.model.fmt import json_number, json_safe
from workbench.model.scenario import Option, Scenario, ValidationError, input_values
from workbench.store.files import load

PRESETS = sorted((Path(__file__).resolve().parent.parent / "presets").glob("*.toml"))


def _formula_reads() -> set[str]:
    defs = [*engine.DEFS.values(), engine.WORKLOAD_TOKENS, *capacity.DEFS]
    return set().union(*(d.node.columns() for d in defs)) - {d.name for d in defs} - {"m"}


def test_every_column_a_formula_reads_is_a_row_and_every_row_is_read():
    reads = _formula_reads()
    assert reads - set(inputs.BY_COL) == set()
    # is_baseline is read by the monthly frame (the baseline's cumulative cost), not by a formula
    assert set(inputs.BY_COL) - reads == {"is_baseline"}


def test_every_row_names_a_field_that_exists():
    s = Scenario()
    for i in inputs.INPUTS:
        if i.source == "scenario":
            table, field = i.field.split(".")
            assert field in type(getattr(s, table)).model_fields, i
        elif i.source in ("option", "flag"):
            assert hasattr(Option(name="x"), i.field), i
        elif i.source in inputs.ROW_TABLES:
            row = {"api_models": "ApiModel", "gpus": "Gpu"}[inputs.ROW_TABLES[i.source]]
            from workbench.model import scenario as sc

            assert i.field in getattr(sc, row).model_fields, i


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_engine_rows_are_the_table(path):
    s = load(path)
    rows = engine.input_arrays(s)
    assert list(rows) == ["variant", "opt", *(i.col for i in inputs.INPUTS)]
    for i in inputs.INPUTS:
        assert rows[i.col].dtype == (np.bool_ if i.kind == "bool" else np.float64), i.col
    assert engine.META["R0"].label == inputs.BY_COL["R0"].label


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_the_path_explain_prints_holds_the_value_the_engine_read(path):
    """For every numeric input, the path shown in an explanation names the value in the engine's row."""
    s = load(path)
    rows = engine.input_arrays(s)
    checked = 0
    for k, o in enumerate(s.options):
        for i in inputs.INPUTS:
            if i.kind == "bool":
                continue
            where = explain._source(s, k, i.col)
            try:
                p = columns.check(s, where)
            except columns.PathError:
                continue  # "training.gpu (none: 0)", "input (no cached_input)", a row the option does not use
            used = (k, i.col) in columns.cells(s, p)
            if used:
                assert columns.value(s, p) == rows[i.col][k], (o.name, i.col, where)
                checked += 1
    assert checked > 20 * len(s.options) // 2


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_every_cell_an_input_path_feeds_holds_its_value(path):
    s = load(path)
    rows = engine.input_arrays(s)
    for p in columns.input_paths(s):
        cells = columns.cells(s, p)
        assert cells, str(p)
        for k, col in cells:
            assert rows[col][k] == columns.value(s, p), (str(p), k, col)


def test_validation_checks_the_engines_own_capacity():
    """The throughput floor is checked on the engine's trees: the figure validation reads is the one the
    engine divides by."""
    s = next(load(p) for p in PRESETS if any(o.is_self_hosted for o in load(p).options))
    k = next(k for k, o in enumerate(s.options) if o.is_self_hosted)
    rows = engine.input_arrays(s)
    sized = capacity.evaluate({c: rows[c] for c in capacity.READS})
    frame = engine.compute(s).series(k, "thr")
    assert sized["thr"][k] == frame[0]
    o = s.options[k]
    slow = o.model_copy(update={"requests_per_second_per_gpu": 1e-10, "target_utilization": 0.5})
    data = s.model_dump(exclude_none=True)
    data["options"][k] = slow.model_dump(exclude_none=True)
    with pytest.raises(ValidationError) as err:
        Scenario.model_validate(data)
    assert "throughput × target_utilization is under one request per GPU in 30 years" in str(err.value)


def test_input_values_reads_zero_where_an_option_uses_no_such_row():
    s = load(PRESETS[0])
    values = input_values(s)
    for k, o in enumerate(s.options):
        if o.is_api:
            assert values["hourly"][k] == 0.0
        else:
            assert values["p_in"][k] == 0.0
        if not o.distill:
            assert values["teach_in"][k] == 0.0


def test_json_number_is_the_one_rule_for_json():
    assert json_number(math.inf) is None
    assert json_number(-math.inf) is None
    assert json_number(math.nan) is None
    assert json_number(None) is None
    assert json_number(3) == 3 and isinstance(json_number(3), int)
    assert json_number(2.5) == 2.5
    assert json_safe({"a": [1.0, math.inf, (math.nan, "x")], "b": None}) == {
        "a": [1.0, None, [None, "x"]],
        "b": None,
    }


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_option_figures_are_the_engines_monthly_figures(path):
    s = load(path)
    r = engine.compute(s)
    month = min(12, s.horizon_months)
    for k in range(len(s.options)):
        got = engine.option_figures(s, k, month)
        for name in ("tin", "tout", "thr", "gpus", "gpu_hours", "inference", "one_time"):
            want = r.series(k, name)[month - 1]
            assert (want is None and math.isnan(got[name])) or got[name] == want, (k, name)
