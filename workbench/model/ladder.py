"""The decision ladder (MODEL.md section 4): six steps, two rungs above them, and a recommendation.

Pure functions of a scenario and its results. Every verdict carries reasons that quote the scenario's
own numbers, so a reader can check the judgement against the grids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.model import fmt
from workbench.model.catalog import RUNG_TITLES, STEP_TITLES
from workbench.model.engine import Results
from workbench.model.scenario import Option, Scenario

VOLUME_FLOOR = 100_000  # requests a month: below it, fine-tuning rarely pays (a published guide)
DATA_BLOCK = 500  # training examples: under this, fine-tuning is blocked
DATA_WARN = 1000  # under this, a warning
STABLE_FLOOR = 6  # months: requirements that change within this block fine-tuning


@dataclass
class Step:
    step: int
    title: str
    verdict: str
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "step": self.step,
            "title": self.title,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
        }


@dataclass
class Recommendation:
    step: int
    option: str | None
    why: str

    def as_dict(self) -> dict:
        return {"step": self.step, "option": self.option, "why": self.why}


@dataclass
class Ladder:
    steps: list[Step]
    rungs: list[Step]
    recommendation: Recommendation


def step_of(o: Option) -> int:
    """Which ladder step an option carries."""
    if o.distill:
        return 5
    if o.fine_tune:
        return 4
    if o.serve == "self_hosted":
        return 6
    if o.prompt_caching:
        return 3
    if o.rag:
        return 2
    return 1


def shortfalls(s: Scenario, o: Option) -> list[str]:
    """The requirements an option misses, in words (empty when it meets them all)."""
    req = s.requirements
    out = []
    if o.consistency < req.consistency_target:
        out.append(
            f"consistency {fmt.pct(o.consistency)} is under the {fmt.pct(req.consistency_target)} target"
        )
    if req.data_must_stay_on_prem and o.serve == "api":
        out.append("it sends data to an API, and data must stay on premises")
    if req.needs_proprietary_data and not (o.rag or o.adapts):
        out.append("it has no access to the proprietary data (no RAG, no training)")
    if req.latency_target_ms > 0 and o.latency_ms > req.latency_target_ms:
        out.append(f"latency {o.latency_ms:,.0f} ms misses the {req.latency_target_ms:,.0f} ms target")
    return out


def build(s: Scenario, r: Results) -> Ladder:
    """Judge every step and pick the recommendation."""
    req = s.requirements
    cur = s.currency
    H = s.horizon_months
    tco = {o.name: o.tco for o in r.options}
    monthly_requests = s.workload.requests_per_day * s.workload.days_per_month
    volume_text = f"volume is {fmt.count(monthly_requests)} requests/month"
    high_volume = monthly_requests > VOLUME_FLOOR
    volume_reason = (
        f"{volume_text}, above the {fmt.count(VOLUME_FLOOR)} floor"
        if high_volume
        else f"{volume_text}, under the {fmt.count(VOLUME_FLOOR)} floor where customizing rarely pays"
    )
    base_idx = s.baseline_index()
    baseline = s.options[base_idx] if base_idx is not None else None
    api_plain = [o for o in s.options if o.serve == "api" and not o.adapts]
    target = req.consistency_target
    steps: list[Step] = []

    # Step 1: API + prompting.
    st = Step(1, STEP_TITLES[1], "go")
    step1 = [o for o in api_plain if step_of(o) == 1] or api_plain
    ref = max(step1, key=lambda o: o.consistency) if step1 else None
    if ref is None:
        st.verdict = "not yet"
        st.reasons.append("no API option in this scenario to judge prompting by; add one")
    else:
        st.reasons.append(
            f"{ref.name!r} reaches {fmt.pct(ref.consistency)} consistency against the {fmt.pct(target)} target"
        )
        if req.data_must_stay_on_prem:
            st.verdict = "blocked"
            st.reasons.append("data must stay on premises, so no API can see it")
        elif ref.consistency < target:
            st.verdict = "not yet"
            st.reasons.append("prompting alone falls short of the target")
        elif req.needs_proprietary_data:
            st.verdict = "not yet"
            st.reasons.append("the task needs proprietary data, which prompting alone cannot reach (step 2)")
        elif req.latency_target_ms > 0 and ref.latency_ms > req.latency_target_ms:
            st.verdict = "not yet"
            st.reasons.append(
                f"its {ref.latency_ms:,.0f} ms latency misses the {req.latency_target_ms:,.0f} ms target"
            )
    st.reasons.append(volume_reason)
    steps.append(st)

    # Step 2: RAG.
    st = Step(2, STEP_TITLES[2], "not needed")
    rag_opts = [o for o in s.options if o.rag]
    if not req.needs_proprietary_data:
        st.reasons.append("the task does not need proprietary data (needs_proprietary_data = false)")
    elif not rag_opts:
        st.verdict = "not yet"
        st.reasons.append("the task needs proprietary data; add an option with rag = true to price retrieval")
    elif req.data_must_stay_on_prem and all(o.serve == "api" for o in rag_opts):
        st.verdict = "blocked"
        st.reasons.append(
            "every RAG option sends the retrieved documents to an API; data must stay on premises"
        )
    else:
        st.verdict = "go"
        best = min(rag_opts, key=lambda o: tco[o.name])
        res = r.option(best.name)
        retrieval = r.series(res.index, "retrieval")[0] if res else 0.0
        st.reasons.append(
            f"the task needs proprietary data; {best.name!r} adds {fmt.whole(s.rag.context_tokens)} retrieved "
            f"tokens a request and {fmt.money(retrieval, cur)}/month of retrieval in month 1"
        )
    steps.append(st)

    # Step 3: prompt caching.
    st = Step(3, STEP_TITLES[3], "not needed")
    share = s.workload.cacheable_share
    ref_api = (
        baseline
        if baseline is not None and baseline.serve == "api"
        else (api_plain[0] if api_plain else None)
    )
    model = s.api_model(ref_api.model) if ref_api is not None else None
    if share <= 0:
        st.reasons.append("no static prefix to cache (cacheable_share = 0)")
    elif model is None:
        st.reasons.append("no API option to cache prompts for")
    elif req.data_must_stay_on_prem:
        st.verdict = "blocked"
        st.reasons.append("caching is an API feature, and data must stay on premises")
    elif model.cached_price >= model.input:
        st.reasons.append(f"{model.name}'s cached input price equals its input price: caching saves nothing")
    else:
        tin = s.workload.input_tokens * (1 - ref_api.prompt_reduction)
        saving = monthly_requests * share * tin * (model.input - model.cached_price) / 1e6
        inference = (
            monthly_requests
            * (tin * model.input + s.workload.output_tokens * (1 - ref_api.output_reduction) * model.output)
            / 1e6
        )
        st.verdict = "go"
        st.reasons.append(
            f"{fmt.pct(share)} of {fmt.whole(tin)} input tokens is a static prefix: caching on {model.name} "
            f"saves {fmt.money(saving, cur)}/month in month 1"
            + (f" ({fmt.pct(saving / inference)} of its inference bill)" if inference > 0 else "")
        )
        if not any(o.prompt_caching for o in s.options):
            st.reasons.append("no option has prompt_caching = true yet; add one to see it in the results")
    steps.append(st)

    # Step 4: fine-tune, judged by the five questions.
    st = Step(4, STEP_TITLES[4], "go")
    api_ok = [o for o in api_plain if not shortfalls(s, o)]
    falls_short = not api_ok
    ft = [o for o in s.options if o.fine_tune and not o.distill]
    ft_ok = [o for o in ft if o.consistency >= target]
    best_ft = min(ft_ok or ft, key=lambda o: tco[o.name]) if ft else None
    base_tco = tco.get(baseline.name) if baseline is not None else None
    t = s.training
    examples = t.examples
    api_latency = [o.latency_ms for o in s.options if o.serve == "api" and o.latency_ms > 0]
    latency_need = (
        req.latency_target_ms > 0 and bool(api_latency) and min(api_latency) > req.latency_target_ms
    )
    stable_needed = max(STABLE_FLOOR, t.retrain_every_months)
    if not falls_short:
        st.verdict = "not needed"
        best = max(api_ok, key=lambda o: o.consistency)
        st.reasons.append(
            f"{best.name!r} already meets the requirements ({fmt.pct(best.consistency)} against {fmt.pct(target)})"
        )
    else:
        best_api = max(api_plain, key=lambda o: o.consistency) if api_plain else None
        q2 = (
            f"Q2 ✓ prompting falls short: best API option {best_api.name!r}: {'; '.join(shortfalls(s, best_api))}"
            if best_api
            else "Q2 ✓ prompting falls short: no API option in this scenario"
        )
        q1 = ("Q1 ✓ " if high_volume else "Q1 ✗ ") + volume_reason
        if req.latency_target_ms <= 0:
            q3 = "Q3 – no latency requirement (latency_target_ms = 0)"
        elif latency_need:
            q3 = f"Q3 ✓ API latency {min(api_latency):,.0f} ms misses the {req.latency_target_ms:,.0f} ms target"
        else:
            q3 = f"Q3 ✗ API latency meets the {req.latency_target_ms:,.0f} ms target (or is unknown)"
        q4 = (
            "Q4 ✓ the team can commit to maintenance"
            if req.can_commit_to_maintenance
            else ("Q4 ✗ the team cannot commit to maintenance and retraining")
        )
        if best_ft is not None and base_tco is not None:
            beats = tco[best_ft.name] < base_tco
            q5 = (
                f"Q5 {'✓' if beats else '✗'} {best_ft.name!r} costs {fmt.money(tco[best_ft.name], cur)} over "
                f"{H} months against {fmt.money(base_tco, cur)} for the baseline"
            )
        else:
            beats = False
            q5 = "Q5 ✗ no fine-tuned option to price; add one with fine_tune = true"
        st.reasons.extend([q1, q2, q3, q4, q5])
        if examples < DATA_BLOCK:
            st.reasons.append(f"{fmt.whole(examples)} examples: under the {DATA_BLOCK} floor")
        elif examples < DATA_WARN:
            st.reasons.append(
                f"{fmt.whole(examples)} examples: above {DATA_BLOCK} but under the {fmt.whole(DATA_WARN)} usually needed"
            )
        else:
            st.reasons.append(
                f"{fmt.whole(examples)} training examples (at least {fmt.whole(DATA_WARN)} wanted)"
            )
        unstable = req.requirements_stable_months < stable_needed
        if unstable:
            st.reasons.append(
                f"requirements stay stable {req.requirements_stable_months:g} months, under the "
                f"{stable_needed} months a trained model needs"
            )
        if examples < DATA_BLOCK or unstable or not req.can_commit_to_maintenance:
            st.verdict = "blocked"
        elif not ft:
            st.verdict = "not yet"
        elif not ft_ok:
            st.verdict = "not yet"
            st.reasons.append(f"no fine-tuned option reaches the {fmt.pct(target)} target")
        elif not ((high_volume and beats) or req.data_must_stay_on_prem or latency_need):
            st.verdict = "not yet"
        else:
            st.verdict = "go"
    steps.append(st)

    # Step 5: distill.
    st = Step(5, STEP_TITLES[5], "not needed")
    dist = [o for o in s.options if o.distill]
    dist_ok = [o for o in dist if o.consistency >= target]
    best_d = min(dist_ok or dist, key=lambda o: tco[o.name]) if dist else None
    s4 = steps[3].verdict
    if s4 == "not needed":
        st.reasons.append("no fine-tuned path is needed, so nothing to distill")
    elif s4 != "go" and not (s4 == "not yet" and dist_ok and not ft):
        st.verdict = "not yet"
        st.reasons.append(f"the fine-tuned path is '{s4}' (step 4), so distilling is premature")
    elif best_d is None:
        st.verdict = "not yet"
        st.reasons.append("no distilled option to compare; add one with distill = true and a teacher")
    elif not high_volume:
        st.reasons.append(volume_reason + ": distillation pays at scale")
    elif not dist_ok:
        st.verdict = "not yet"
        st.reasons.append(
            f"{best_d.name!r} reaches {fmt.pct(best_d.consistency)}, under the {fmt.pct(target)} target"
        )
    else:
        ref_cost = tco[best_ft.name] if best_ft is not None and best_ft in ft_ok else base_tco
        ref_name = repr(best_ft.name) if best_ft is not None and best_ft in ft_ok else "the baseline"
        d_cost = tco[best_d.name]
        if ref_cost is None or d_cost < ref_cost:
            st.verdict = "go"
            saving = (ref_cost - d_cost) if ref_cost is not None else 0.0
            st.reasons.append(
                f"{best_d.name!r} costs {fmt.money(d_cost, cur)} over {H} months, "
                f"{fmt.money(saving, cur)} less than {ref_name}"
            )
        else:
            st.reasons.append(
                f"{best_d.name!r} costs {fmt.money(d_cost, cur)} over {H} months, not less than "
                f"{ref_name} at {fmt.money(ref_cost, cur)}"
            )
    steps.append(st)

    # Step 6: self-host, only with a reason.
    st = Step(6, STEP_TITLES[6], "not needed")
    sh = [o for o in s.options if o.serve == "self_hosted"]
    why: list[str] = []
    if req.data_must_stay_on_prem:
        why.append("data must stay on premises")
    rpd = s.workload.requests_per_day
    crossings = [
        (r.option(o.name).breakeven_requests_per_day, o.name)
        for o in sh
        if r.option(o.name) is not None and r.option(o.name).breakeven_requests_per_day is not None
    ]
    if crossings:
        v, name = min(crossings)
        if v == 0:
            why.append(f"{name!r} is never dearer than the baseline, at any volume (month-1 prices)")
        elif rpd >= v:
            why.append(
                f"{fmt.count(rpd)} requests/day is past the {fmt.count(v)} breakeven of {name!r} "
                f"({fmt.count(v * (s.workload.input_tokens + s.workload.output_tokens))} tokens/day)"
            )
        else:
            st.reasons.append(
                f"{fmt.count(rpd)} requests/day is under the {fmt.count(v)} breakeven of {name!r}"
            )
    elif sh:
        st.reasons.append("no self-hosted option is ever cheaper than the baseline at month-1 prices")
    if latency_need and any(0 < o.latency_ms <= req.latency_target_ms for o in sh):
        why.append(f"API options miss the {req.latency_target_ms:,.0f} ms latency target")
    if not why:
        if not req.data_must_stay_on_prem:
            st.reasons.append("data may leave the network")
        if req.latency_target_ms <= 0:
            st.reasons.append("no latency target")
    else:
        st.reasons = why + st.reasons
        if not sh:
            st.verdict = "not yet"
            st.reasons.append('no self-hosted option to price; add one with serve = "self_hosted"')
        elif not req.can_commit_to_maintenance:
            st.verdict = "blocked"
            st.reasons.append("the team cannot commit to running the servers")
        else:
            st.verdict = "go"
    steps.append(st)

    rungs = _rungs(s)
    return Ladder(steps, rungs, _recommend(s, r, steps))


def _rungs(s: Scenario) -> list[Step]:
    unique = s.requirements.unique_domain_without_public_data
    level4 = Step(
        4,
        RUNG_TITLES[4],
        "go" if unique else "not needed",
        [
            "a unique domain with no public training data: teach the model the domain ($10,000 and up)"
            if unique
            else "the domain has public data a foundation model has seen (unique_domain_without_public_data = false)"
        ],
    )
    level5 = Step(
        5,
        RUNG_TITLES[5],
        "not yet" if unique else "not needed",
        [
            "only for unique data at massive scale with deep ML expertise ($10M-$100M and up); try level 4 first"
            if unique
            else "foundation models cover this task; building one costs $10M-$100M and up"
        ],
    )
    return [level4, level5]


def _recommend(s: Scenario, r: Results, steps: list[Step]) -> Recommendation:
    if not s.options:
        return Recommendation(1, None, "no options to compare; add one to the Options grid")
    verdict = {st.step: st.verdict for st in steps}
    tco = {o.name: o.tco for o in r.options}
    cur = s.currency

    def allowed(o: Option) -> bool:
        k = step_of(o)
        return not shortfalls(s, o) and (k <= 3 or verdict[k] == "go")

    ok = [o for o in s.options if allowed(o)]
    if not ok:
        pool = [o for o in s.options if step_of(o) <= 3 or verdict[step_of(o)] == "go"] or list(s.options)
        pick = min(pool, key=lambda o: (len(shortfalls(s, o)), step_of(o), tco[o.name]))
        why = (
            f"no option both meets every requirement and is justified; {pick.name!r} comes closest "
            f"({'; '.join(shortfalls(s, pick)) or 'it meets them'}), {fmt.money(tco[pick.name], cur)} over "
            f"{s.horizon_months} months"
        )
        for o in s.options:
            if not shortfalls(s, o) and not allowed(o):
                k = step_of(o)
                why += f"; {o.name!r} meets them but step {k} ({STEP_TITLES[k]}) is '{verdict[k]}'"
        return Recommendation(step_of(pick), pick.name, why)
    low = min(step_of(o) for o in ok)
    pick = min((o for o in ok if step_of(o) == low), key=lambda o: tco[o.name])
    upgrade = {1: 3, 2: 3, 4: 5}.get(low)
    if upgrade is not None and verdict[upgrade] == "go":
        better = [o for o in ok if step_of(o) == upgrade and tco[o.name] < tco[pick.name]]
        if better:
            pick = min(better, key=lambda o: tco[o.name])
    k = step_of(pick)
    why = (
        f"{pick.name!r} is the lowest step that meets the requirements: consistency {fmt.pct(pick.consistency)} "
        f"against {fmt.pct(s.requirements.consistency_target)}, {fmt.money(tco[pick.name], cur)} over "
        f"{s.horizon_months} months"
    )
    if r.cheapest and r.cheapest != pick.name:
        why += f"; {r.cheapest!r} is cheaper ({fmt.money(tco[r.cheapest], cur)}) but "
        cheapest = next(o for o in s.options if o.name == r.cheapest)
        miss = shortfalls(s, cheapest)
        why += miss[0] if miss else f"step {step_of(cheapest)} is '{verdict[step_of(cheapest)]}'"
    return Recommendation(k, pick.name, why)
