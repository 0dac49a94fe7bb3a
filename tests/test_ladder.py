"""The decision ladder as a registry of rules: every step judged in order, the verdicts a reader sees,
figures quoted from the engine, and a new rung added by registering one rule."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import get_args

import pytest

from workbench.model import fmt, ladder
from workbench.model import scenario as sc
from workbench.model.catalog import RUNG_TITLES, STEP_TITLES
from workbench.model.engine import compute
from workbench.model.ladder import LadderContext, Verdict, build

PRESETS = Path(__file__).resolve().parent.parent / "presets"


def scenario(preset: str, **requirements: object) -> sc.Scenario:
    data = tomllib.loads((PRESETS / f"{preset}.toml").read_text())
    data.setdefault("requirements", {}).update(requirements)
    return sc.validate(data)


def test_six_steps_and_two_rungs_in_order_with_their_titles() -> None:
    s = scenario("starter")
    lad = build(s, compute(s))
    assert [(st.step, st.title) for st in lad.steps] == sorted(STEP_TITLES.items())
    assert [(st.step, st.title) for st in lad.rungs] == sorted(RUNG_TITLES.items())


@pytest.mark.parametrize("preset", sorted(p.stem for p in PRESETS.glob("*.toml")))
def test_every_verdict_is_one_of_the_four(preset: str) -> None:
    s = scenario(preset)
    lad = build(s, compute(s))
    assert {st.verdict for st in lad.steps + lad.rungs} <= set(get_args(Verdict))
    assert all(st.reasons for st in lad.steps + lad.rungs)


def test_data_on_premises_blocks_the_api_steps() -> None:
    s = scenario("starter", data_must_stay_on_prem=True)
    steps = {st.step: st for st in build(s, compute(s)).steps}
    assert steps[1].verdict == "blocked"
    assert "data must stay on premises, so no API can see it" in steps[1].reasons
    assert steps[3].verdict == "blocked"
    assert steps[6].reasons[0] == "data must stay on premises"


def test_fine_tune_asks_the_five_questions_in_order() -> None:
    s = scenario("starter")
    fine_tune = build(s, compute(s)).steps[3]
    assert [line[:2] for line in fine_tune.reasons[:5]] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert fine_tune.verdict == "not yet"  # Q5: the fine-tuned option costs more than the baseline


def test_maintenance_the_team_cannot_commit_to_blocks_fine_tuning() -> None:
    s = scenario("starter", can_commit_to_maintenance=False)
    fine_tune = build(s, compute(s)).steps[3]
    assert fine_tune.verdict == "blocked"
    assert "Q4 ✗ the team cannot commit to maintenance and retraining" in fine_tune.reasons


def test_self_hosting_quotes_the_engines_breakeven() -> None:
    s = scenario("loan-underwriting-100k")
    r = compute(s)
    res = r.option("Fine-tuned 7B, H100 (RunPod)")
    assert res is not None and res.breakeven_tokens_per_day is not None
    self_host = build(s, r).steps[5]
    assert self_host.verdict == "go"
    assert f"({fmt.count(res.breakeven_tokens_per_day)} tokens/day)" in self_host.reasons[0]


def test_caching_quotes_the_reference_options_output_tokens_from_the_engine() -> None:
    s = scenario("starter")
    r = compute(s)
    c = LadderContext(s, r)
    base = c.baseline
    assert base is not None and base.is_api
    tout = s.workload.output_tokens * (1 - base.output_reduction)
    assert c.figure(base, "tout") == tout
    assert "of its API bill" in build(s, r).steps[2].reasons[0]


def test_a_new_rung_is_one_registered_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RUNG_TITLES, 9, "A rung added by a test")
    monkeypatch.setattr(ladder, "RUNG_RULES", dict(ladder.RUNG_RULES))

    @ladder.rung(9)
    def nine(c: LadderContext) -> tuple[Verdict, list[str]]:
        return "not yet", [f"{len(c.s.options)} options"]

    s = scenario("starter")
    lad = build(s, compute(s))
    assert [st.step for st in lad.rungs] == [7, 8, 9]
    assert lad.rungs[-1].as_dict() == {
        "step": 9,
        "title": "A rung added by a test",
        "verdict": "not yet",
        "reasons": ["4 options"],
    }
