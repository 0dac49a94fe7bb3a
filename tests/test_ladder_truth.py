"""The recommendation tells the truth (MODEL.md 6.4): each case seen in the field is a small scenario
here, and every view says "no option meets every requirement" before it names the closest option."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from workbench.model import fmt
from workbench.model import scenario as sc
from workbench.model.engine import compute
from workbench.model.ladder import NONE_MEETS, shortfalls, step_of
from workbench.model.report import Analysis, analyze, headline, option_rows, to_json_dict, to_markdown

PRESETS = Path(__file__).resolve().parent.parent / "presets"

BASE: dict = {
    "schema_version": 1,
    "name": "truth",
    "horizon_months": 24,
    "workload": {"requests_per_day": 20000, "input_tokens": 1000, "output_tokens": 200},
    "requirements": {"consistency_target": 0.95},
    "overheads": {"engineer_annual_cost": 120000},
    "training": {"gpu": "H100", "examples": 5000, "runs": 2},
    "api_models": [
        {"name": "Big", "input": 5.0, "output": 15.0, "cached_input": 2.5},
        {"name": "Small", "input": 0.1, "output": 0.3, "cached_input": 0.05},
    ],
    "gpus": [{"name": "H100", "hourly": 2.0}],
    "options": [],
}


def api(name: str, model: str, consistency: float, **kw: object) -> dict:
    return {"name": name, "serve": "api", "model": model, "consistency": consistency, **kw}


def hosted(name: str, consistency: float, **kw: object) -> dict:
    return {
        "name": name,
        "serve": "self_hosted",
        "gpu": "H100",
        "consistency": consistency,
        "tokens_per_second_per_gpu": 2000.0,
        "min_gpus": 1,
        **kw,
    }


def build(options: list[dict], **changes: dict) -> Analysis:
    data = copy.deepcopy(BASE)
    data["options"] = options
    for table, values in changes.items():
        data.setdefault(table, {}).update(values)
    return analyze(sc.validate(data))


def tco(a: Analysis, name: str) -> float:
    res = a.results.option(name)
    assert res is not None
    return res.tco


def step(a: Analysis, n: int):
    return next(st for st in a.ladder.steps if st.step == n)


def check_truth(a: Analysis) -> None:
    """What every recommendation must hold to, whatever the scenario."""
    rec = a.ladder.recommendation
    s = a.scenario
    if rec.option is None:
        return
    o = next(x for x in s.options if x.name == rec.option)
    verdicts = {st.step: st.verdict for st in a.ladder.steps + a.ladder.rungs}
    meets = not shortfalls(s, o) and verdicts.get(step_of(o)) == "go"
    assert rec.meets_requirements == meets
    assert rec.misses == shortfalls(s, o)
    assert rec.step == step_of(o)
    mark = next(r["marks"] for r in option_rows(a) if r["name"] == o.name)
    assert ("★" in mark) == meets and ("☆" in mark) == (not meets)
    qualified = [x for x in s.options if not shortfalls(s, x) and verdicts.get(step_of(x)) == "go"]
    if meets:
        same_step = [x for x in qualified if step_of(x) == step_of(o)]
        assert tco(a, o.name) <= min(tco(a, x.name) for x in same_step)
    else:
        assert not qualified
        for text in (rec.why, headline(a), to_markdown(a).split("**Recommendation:** ")[1]):
            assert text.startswith(NONE_MEETS)  # said before the option is named
    data = to_json_dict(a)["recommendation"]
    assert data["meets_requirements"] is rec.meets_requirements and data["misses"] == rec.misses


def test_api_meeting_the_target_leaves_fine_tuning_not_needed_and_the_cheaper_qualifier_wins() -> None:
    a = build(
        [
            api("API", "Big", 0.96, baseline=True, latency_ms=600),
            hosted("Plain 8B", 0.96, latency_ms=100),
            hosted("Fine-tuned 8B", 0.98, latency_ms=100, fine_tune=True, ops_fte=0.5),
        ],
        requirements={"latency_target_ms": 500},
    )
    rec = a.ladder.recommendation
    assert step(a, 4).verdict == "not needed"
    assert rec.option == "Plain 8B" and rec.meets_requirements and rec.misses == []
    assert tco(a, "Plain 8B") < tco(a, "Fine-tuned 8B")
    check_truth(a)


def test_equal_misses_go_to_the_cheaper_tco() -> None:
    a = build(
        [
            api("Big API", "Big", 0.90, baseline=True),
            api("Small API + caching", "Small", 0.90, prompt_caching=True),
        ],
        workload={"cacheable_share": 0.5},
    )
    assert tco(a, "Big API") > 50 * tco(a, "Small API + caching")
    rec = a.ladder.recommendation
    assert rec.option == "Small API + caching"
    assert not rec.meets_requirements
    assert rec.misses == ["consistency 90% is under the 95% target"]
    check_truth(a)


def test_an_option_on_a_step_that_is_not_go_gets_no_star() -> None:
    # The fine-tune meets every requirement, but at 3,000 requests a month it costs more than the
    # baseline: step 4 is 'not yet', so it is named as the closest, not recommended.
    a = build(
        [
            api("API", "Big", 0.90, baseline=True),
            hosted("Fine-tuned 8B", 0.97, fine_tune=True, ops_fte=0.5),
        ],
        workload={"requests_per_day": 100},
    )
    rec = a.ladder.recommendation
    assert step(a, 4).verdict == "not yet"
    assert rec.option == "Fine-tuned 8B" and not rec.meets_requirements and rec.misses == []
    assert "step 4 (Fine-tune) is 'not yet'" in rec.why
    assert fmt.money(tco(a, "Fine-tuned 8B")) in rec.why
    check_truth(a)


def test_an_option_that_misses_the_target_gets_no_star() -> None:
    a = build([api("API", "Big", 0.90, baseline=True), api("API + RAG", "Big", 0.93, rag=True)])
    rec = a.ladder.recommendation
    assert rec.option == "API + RAG" and not rec.meets_requirements
    assert [r["marks"] for r in option_rows(a)] == ["B$", "☆"]
    check_truth(a)


def test_caching_is_judged_on_every_caching_option_with_the_engines_saving() -> None:
    # The baseline's model sells no cached discount; the RAG option's model does, and it caches the
    # retrieved context too: the saving quoted is the engine's, for that option's own tokens.
    data_models = [
        {"name": "Flat", "input": 3.0, "output": 15.0},
        {"name": "Small", "input": 0.1, "output": 0.3, "cached_input": 0.05},
    ]
    data = copy.deepcopy(BASE)
    data["api_models"] = data_models
    data["workload"]["cacheable_share"] = 0.5
    data["requirements"]["needs_proprietary_data"] = True
    data["rag"] = {"context_tokens": 1500}
    data["options"] = [
        api("Flat API", "Flat", 0.90, baseline=True),
        api("Small + RAG + caching", "Small", 0.96, rag=True, prompt_caching=True),
    ]
    s = sc.validate(data)
    a = analyze(s)
    caching = step(a, 3)
    assert caching.verdict == "go"
    off = s.model_copy(
        update={"options": [o.model_copy(update={"prompt_caching": False}) for o in s.options]}
    )
    without, with_ = compute(off), a.results
    saving = sum(without.series(1, "inference")) - sum(with_.series(1, "inference"))
    assert saving > 0
    assert caching.reasons == [
        f"50% of 2,500 input tokens is a static prefix: caching saves 'Small + RAG + caching' "
        f"{fmt.money(saving)} over 24 months "
        f"({fmt.pct(saving / sum(without.series(1, 'inference')))} of its API bill)"
    ]
    assert a.ladder.recommendation.option == "Small + RAG + caching"
    check_truth(a)


def test_closest_is_the_option_nearest_the_target() -> None:
    a = build(
        [
            api("Cheap", "Small", 0.80, baseline=True),
            api("Near", "Big", 0.93),
        ]
    )
    rec = a.ladder.recommendation
    assert rec.option == "Near"
    assert rec.why.startswith(f"{NONE_MEETS}; 'Near' comes closest (consistency 93% is under the 95% target)")
    check_truth(a)


def test_a_cheaper_option_passed_over_is_explained_in_numbers() -> None:
    # The API meets every requirement at step 1; a self-hosted model is cheaper at this volume and
    # step 6 is 'go' for it, but the ladder stops at the lowest step: the why says so with the saving.
    a = build(
        [
            api("API", "Big", 0.96, baseline=True),
            hosted("Plain 8B", 0.96),
        ],
        workload={"requests_per_day": 500000},
    )
    assert step(a, 6).verdict == "go"
    rec = a.ladder.recommendation
    assert rec.option == "API" and rec.meets_requirements
    less = fmt.money(tco(a, "API") - tco(a, "Plain 8B"))
    assert f"'Plain 8B' costs {less} less but it is step 6 (Self-host), and step 1 already meets" in rec.why
    assert "is 'go'" not in rec.why
    check_truth(a)


def test_no_latency_target_answers_the_latency_question_no() -> None:
    a = build(
        [api("API", "Big", 0.90, baseline=True), hosted("Fine-tuned 8B", 0.97, fine_tune=True)],
        workload={"requests_per_day": 200000},
    )
    fine_tune = step(a, 4)
    q3 = next(r for r in fine_tune.reasons if r.startswith("Q3"))
    assert q3.startswith("Q3 ✗ latency is not critical")
    assert fine_tune.verdict == "go"
    assert "latency" not in fine_tune.reasons[-1]  # the go rests on the saving, said in numbers
    assert fine_tune.reasons[-1].startswith("go: 'Fine-tuned 8B' meets every requirement; $")
    check_truth(a)


def test_falling_api_prices_name_the_late_payback_and_the_flat_price_one() -> None:
    a = build(
        [api("API", "Big", 0.90, baseline=True), hosted("Fine-tuned 8B", 0.97, fine_tune=True, ops_fte=0.5)],
        workload={"requests_per_day": 40000},
        market={"api_price_change_per_year": -0.5},
    )
    s = a.scenario
    res = a.results.option("Fine-tuned 8B")
    assert res is not None
    flat = compute(
        s.model_copy(update={"market": s.market.model_copy(update={"api_price_change_per_year": 0.0})})
    )
    flat_month = flat.options[1].breakeven_month
    assert res.breakeven_month is None or res.breakeven_month > 12
    assert flat_month is not None and flat_month < (res.breakeven_month or 99)
    pays = f"pays back only in month {res.breakeven_month}" if res.breakeven_month else "does not pay back"
    line = next(r for r in step(a, 4).reasons if r.startswith("API prices change -50% a year"))
    assert pays in line and f"(with flat API prices: month {flat_month})" in line
    check_truth(a)


def test_flat_prices_say_nothing_of_next_years_model() -> None:
    a = build([api("API", "Big", 0.90, baseline=True), hosted("Fine-tuned 8B", 0.97, fine_tune=True)])
    assert not any("next year's API model" in r for st in a.ladder.steps for r in st.reasons)


@pytest.mark.parametrize("preset", sorted(p.stem for p in PRESETS.glob("*.toml")))
def test_every_preset_tells_the_truth(preset: str) -> None:
    check_truth(analyze(sc.validate(tomllib.loads((PRESETS / f"{preset}.toml").read_text()))))


def test_the_table_and_the_ladder_pane_say_none_meets_before_naming_the_closest(capsys) -> None:
    from workbench.cli.run import main
    from workbench.tui.panes.tables import ladder_text

    preset = PRESETS / "starter.toml"
    a = analyze(sc.validate(tomllib.loads(preset.read_text())))
    rec = a.ladder.recommendation
    assert rec.option is not None and not rec.meets_requirements
    assert main(["report", str(preset), "--format", "table"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the table wraps long lines
    line = out[out.index("Recommendation: ") :]
    assert line.startswith(f"Recommendation: {NONE_MEETS}")
    assert line.index(NONE_MEETS) < line.index(rec.option)
    assert "☆ closest" in out
    pane = ladder_text(a).plain
    assert pane.startswith(f"☆ Recommendation: {NONE_MEETS}")
    assert pane.index(NONE_MEETS) < pane.index(rec.option)


async def test_the_results_and_ladder_status_lines_say_none_meets_first() -> None:
    from helpers import make_app

    app = make_app("starter")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        await pilot.pause()
        rec = view.doc.analysis().ladder.recommendation
        assert rec.option is not None and not rec.meets_requirements
        for pane in ("results", "ladder"):
            line = view.pane_status(pane)
            assert line.index(NONE_MEETS) < line.index(rec.option), line


# --- Rungs 7 and 8: pre-training with prices (MODEL.md 6.3) ----------------------------------------------


def pretraining(unique: bool, *options: dict, **changes: dict) -> Analysis:
    """A version-2 scenario on the contract's worked figures: 8B parameters, H100 at 989 TFLOPS, 40% MFU,
    1.5 attempts, 64 GPUs."""
    data = copy.deepcopy(BASE)
    data["schema_version"] = 2
    data["requirements"]["unique_domain_without_public_data"] = unique
    data["gpus"] = [{"name": "H100", "hourly": 2.69, "bf16_tflops": 989.0}]
    data["pretraining"] = {"gpu": "H100"}
    data["options"] = [api("API", "Big", 0.80, baseline=True), *options]
    for table, values in changes.items():
        data.setdefault(table, {}).update(values)
    return analyze(sc.validate(data))


def rung(a: Analysis, n: int):
    return next(st for st in a.ladder.rungs if st.step == n)


CONTINUED = hosted("Continued 8B", 0.97, pretrain="continued", pretrain_tokens=50e9)
SCRATCH = hosted("Scratch 8B", 0.98, pretrain="scratch", fine_tune=True)


def test_rungs_are_seven_and_eight_after_the_six_steps() -> None:
    a = pretraining(False, CONTINUED)
    data = to_json_dict(a)
    assert [st["step"] for st in data["ladder"]] == [1, 2, 3, 4, 5, 6]
    assert [st["step"] for st in data["rungs"]] == [7, 8]
    assert [step_of(o) for o in a.scenario.options] == [1, 7]
    assert [step_of(o) for o in pretraining(False, SCRATCH).scenario.options] == [1, 8]  # it fine-tunes too


def test_a_rung_quotes_the_engines_pretraining_figures() -> None:
    a = pretraining(True, CONTINUED)
    res = a.results.option("Continued 8B")
    assert res is not None and res.pretrain_gpu_hours is not None
    assert rung(a, 7).reasons[0] == (
        "'Continued 8B': 50B tokens on an 8B model: 2,528 GPU-hours, $6.80k, 1.6 days on 64 GPUs"
    )
    assert rung(a, 7).verdict == "go"


def test_rungs_are_not_needed_unless_the_domain_is_unique() -> None:
    a = pretraining(False, CONTINUED, SCRATCH)
    assert [st.verdict for st in a.ladder.rungs] == ["not needed", "not needed"]
    assert rung(a, 8).reasons[1].startswith("'Scratch 8B': 160B tokens on an 8B model: ")
    rec = a.ladder.recommendation
    assert rec.option == "Continued 8B" and not rec.meets_requirements  # the closest, said so
    check_truth(a)


def test_a_rung_is_not_yet_without_an_option_or_when_none_meets() -> None:
    none = pretraining(True)
    assert [st.verdict for st in none.ladder.rungs] == ["not yet", "not yet"]
    missing = pretraining(True, {**CONTINUED, "consistency": 0.9})
    assert rung(missing, 7).verdict == "not yet"
    assert rung(missing, 7).reasons[-1] == "'Continued 8B' misses: consistency 90% is under the 95% target"
    check_truth(missing)


def test_continued_is_recommended_before_scratch_and_after_step_six() -> None:
    small = {**SCRATCH, "name": "Scratch", "fine_tune": False}  # 2B tokens against the continued 50B
    a = pretraining(True, CONTINUED, small, pretraining={"gpu": "H100", "params": 1e8})
    assert tco(a, "Scratch") < tco(a, "Continued 8B")
    assert [st.verdict for st in a.ladder.rungs] == ["go", "go"]
    assert a.ladder.recommendation.option == "Continued 8B" and a.ladder.recommendation.step == 7
    check_truth(a)
    plain = hosted("Plain 8B", 0.96)
    b = pretraining(True, CONTINUED, plain, workload={"requests_per_day": 500000})
    assert step(b, 6).verdict == "go"
    assert b.ladder.recommendation.option == "Plain 8B"
    check_truth(b)
