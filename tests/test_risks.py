"""The risk checklist as a registry: one rule per catalog risk, judged on the engine's own figures."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from workbench.model import fmt, risks
from workbench.model import scenario as sc
from workbench.model.catalog import RISK_IDS
from workbench.model.engine import compute
from workbench.model.report import analyze

PRESETS = Path(__file__).resolve().parent.parent / "presets"
V1_FIXTURES = Path(__file__).resolve().parent / "v1_figures"


def scenario(preset: str, **tables: dict) -> sc.Scenario:
    frozen = V1_FIXTURES / f"{preset}.toml"  # starter and loan as version 1: figures these tests hold
    data = tomllib.loads((frozen if frozen.is_file() else PRESETS / f"{preset}.toml").read_text())
    for table, values in tables.items():
        data.setdefault(table, {}).update(values)
    return sc.validate(data)


def flags(s: sc.Scenario) -> dict[str, tuple[bool, str]]:
    return {x.id: (x.flagged, x.why) for x in analyze(s).risks}


def test_every_catalog_risk_has_one_rule_and_is_reported_in_catalog_order() -> None:
    assert set(risks.RULES) == set(RISK_IDS)
    assert [x.id for x in analyze(scenario("starter")).risks] == list(RISK_IDS)


def test_a_rule_for_a_risk_outside_the_catalog_is_refused() -> None:
    with pytest.raises(ValueError, match="no risk 'made-up' in the catalog"):
        risks.risk("made-up")


def test_idle_capacity_quotes_the_engines_load() -> None:
    s = scenario("starter")
    r = compute(s)
    res = r.option("Fine-tuned 8B, self-hosted")
    assert res is not None
    load = r.series(res.index, "load")[-1]
    flagged, why = flags(s)["idle-capacity"]
    assert flagged
    assert f"'Fine-tuned 8B, self-hosted' uses {fmt.pct(load, 1)} of its 2 GPU(s) at month 24" in why


def test_spiky_traffic_is_named_once_however_many_always_on_options() -> None:
    flagged, why = flags(scenario("starter", workload={"peak_to_average": 5.0}))["idle-capacity"]
    assert (flagged, why) == (True, "peak is 5x the average (over 4)")


def test_load_is_the_share_of_always_on_capacity_the_average_traffic_uses() -> None:
    s = scenario("starter")
    r = compute(s)
    for o in s.options:
        res = r.option(o.name)
        assert res is not None
        load, rpd, gpus, thr = (r.series(res.index, col) for col in ("load", "rpd", "gpus", "thr"))
        if o.is_api:
            assert load == [None] * s.horizon_months
        else:
            assert load == [v / 86400 / (g * t) for v, g, t in zip(rpd, gpus, thr, strict=True)]


def test_load_is_zero_when_throughput_has_no_limit() -> None:
    s = scenario("starter", workload={"output_tokens": 0})  # tokens/s over no output tokens: infinite
    r = compute(s)
    res = r.option("Fine-tuned 8B, self-hosted")
    assert res is not None
    assert r.series(res.index, "load") == [0.0] * s.horizon_months


def test_hidden_tco_compares_people_data_and_eval_with_training_compute() -> None:
    cheap_team = {"engineer_annual_cost": 0.0, "eval_setup": 0.0}
    s = scenario("starter", overheads=cheap_team, training={"hours_per_run": 1000.0, "already_labeled": 5000})
    flagged, why = flags(s)["hidden-tco"]
    assert flagged
    assert why.startswith("'Fine-tuned 8B, self-hosted': people + data + eval")
    assert why.endswith("training compute, under 5x")


def test_a_fast_falling_api_price_flags_a_recommendation_that_is_not_an_api() -> None:
    s = scenario("loan-underwriting-100k", market={"api_price_change_per_year": -0.6})
    flagged, why = flags(s)["frontier-obsolescence"]
    assert flagged
    assert (
        why
        == "API prices change -60% a year and the recommendation 'Fine-tuned 7B, H100 (RunPod)' is not an API"
    )
