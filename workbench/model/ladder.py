"""The decision ladder (docs/model.md section 4): six steps, two rungs above them, and a recommendation.

Each step, each of step 4's five questions and each rung is one small rule over a `LadderContext` (the
scenario, the engine's Results, and the figures several rules share, computed once), registered in
order with `@step(n)`, `@question` or `@rung(n)`; `build` walks the registries. Every verdict carries
reasons that quote the scenario's own numbers, so a reader can check the judgement against the grids.
Derived figures (tokens per request, retrieval, breakeven volumes) are read from the engine's Results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from workbench.model import fmt
from workbench.model.catalog import RUNG_TITLES, STEP_TITLES
from workbench.model.engine import Results
from workbench.model.scenario import Option, Requirements, Scenario

# A step's or rung's judgement; the report's JSON carries these exact strings.
Verdict = Literal["go", "not needed", "not yet", "blocked"]

VOLUME_FLOOR = 100_000  # requests a month: below it, fine-tuning rarely pays (a published guide)
DATA_BLOCK = 500  # training examples: under this, fine-tuning is blocked
DATA_WARN = 1000  # under this, a warning
STABLE_FLOOR = 6  # months: requirements that change within this block fine-tuning


@dataclass
class Step:
    step: int
    title: str
    verdict: Verdict
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
    if o.is_self_hosted:
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
    if req.data_must_stay_on_prem and o.is_api:
        out.append("it sends data to an API, and data must stay on premises")
    if req.needs_proprietary_data and not (o.rag or o.adapts):
        out.append("it has no access to the proprietary data (no RAG, no training)")
    if req.latency_target_ms > 0 and o.latency_ms > req.latency_target_ms:
        out.append(f"latency {o.latency_ms:,.0f} ms misses the {req.latency_target_ms:,.0f} ms target")
    return out


@dataclass
class LadderContext:
    """What the rules read: the scenario, the engine's Results, the steps judged so far, and shared
    figures (each a cached property, so it is computed once and only if a rule asks for it)."""

    s: Scenario
    r: Results
    steps: dict[int, Step] = field(default_factory=dict)  # judged so far, by step number

    @property
    def req(self) -> Requirements:
        return self.s.requirements

    @property
    def cur(self) -> str:
        return self.s.currency

    @property
    def target(self) -> float:
        return self.req.consistency_target

    @cached_property
    def tco(self) -> dict[str, float]:
        return {o.name: o.tco for o in self.r.options}

    def figure(self, o: Option, column: str) -> float:
        """The engine's month-1 value of one column for an option."""
        res = self.r.option(o.name)
        if res is None:
            raise KeyError(o.name)
        return self.r.series(res.index, column)[0]

    @cached_property
    def monthly_requests(self) -> float:
        return self.s.workload.requests_per_day * self.s.workload.days_per_month

    @cached_property
    def high_volume(self) -> bool:
        return self.monthly_requests > VOLUME_FLOOR

    @cached_property
    def volume_reason(self) -> str:
        text = f"volume is {fmt.count(self.monthly_requests)} requests/month"
        if self.high_volume:
            return f"{text}, above the {fmt.count(VOLUME_FLOOR)} floor"
        return f"{text}, under the {fmt.count(VOLUME_FLOOR)} floor where customizing rarely pays"

    @cached_property
    def baseline(self) -> Option | None:
        i = self.s.baseline_index()
        return self.s.options[i] if i is not None else None

    @cached_property
    def base_tco(self) -> float | None:
        return self.tco.get(self.baseline.name) if self.baseline is not None else None

    @cached_property
    def api_plain(self) -> list[Option]:
        """API options that train nothing: what prompting alone reaches."""
        return [o for o in self.s.options if o.is_api and not o.adapts]

    @cached_property
    def ft(self) -> list[Option]:
        """Fine-tuned options that do not distill."""
        return [o for o in self.s.options if o.fine_tune and not o.distill]

    @cached_property
    def ft_ok(self) -> list[Option]:
        return [o for o in self.ft if o.consistency >= self.target]

    @cached_property
    def best_ft(self) -> Option | None:
        """The cheapest fine-tuned option that reaches the target (or the cheapest of all if none does)."""
        return min(self.ft_ok or self.ft, key=lambda o: self.tco[o.name]) if self.ft else None

    @cached_property
    def ft_beats_baseline(self) -> bool:
        if self.best_ft is None or self.base_tco is None:
            return False
        return self.tco[self.best_ft.name] < self.base_tco

    @cached_property
    def api_latency(self) -> list[float]:
        return [o.latency_ms for o in self.s.options if o.is_api and o.latency_ms > 0]

    @cached_property
    def latency_need(self) -> bool:
        """Every API option with a known latency misses the latency target."""
        target = self.req.latency_target_ms
        return target > 0 and bool(self.api_latency) and min(self.api_latency) > target


# A rule judges one step or rung: its verdict and the reasons, in the scenario's numbers.
Rule = Callable[[LadderContext], tuple[Verdict, list[str]]]
STEP_RULES: dict[int, Rule] = {}  # step number -> rule, in ladder order
RUNG_RULES: dict[int, Rule] = {}  # customization level -> rule, above the ladder
QUESTIONS: list[Callable[[LadderContext], str]] = []  # step 4's five questions, in order


def step(n: int) -> Callable[[Rule], Rule]:
    """Register the rule of ladder step n (its title is STEP_TITLES[n])."""

    def register(rule: Rule) -> Rule:
        STEP_RULES[n] = rule
        return rule

    return register


def rung(n: int) -> Callable[[Rule], Rule]:
    """Register the rule of the rung at customization level n (its title is RUNG_TITLES[n])."""

    def register(rule: Rule) -> Rule:
        RUNG_RULES[n] = rule
        return rule

    return register


def question(ask: Callable[[LadderContext], str]) -> Callable[[LadderContext], str]:
    """Register one of step 4's questions: its answer is one line of the step's reasons."""
    QUESTIONS.append(ask)
    return ask


def build(s: Scenario, r: Results) -> Ladder:
    """Judge every step and rung, in registry order, and pick the recommendation."""
    c = LadderContext(s, r)
    for n, rule in STEP_RULES.items():
        c.steps[n] = Step(n, STEP_TITLES[n], *rule(c))
    rungs = [Step(n, RUNG_TITLES[n], *rule(c)) for n, rule in RUNG_RULES.items()]
    return Ladder(list(c.steps.values()), rungs, _recommend(c))


# --- The six steps ------------------------------------------------------------------------------------


@step(1)
def api_prompting(c: LadderContext) -> tuple[Verdict, list[str]]:
    req = c.req
    step1 = [o for o in c.api_plain if step_of(o) == 1] or c.api_plain
    if not step1:
        return "not yet", ["no API option in this scenario to judge prompting by; add one", c.volume_reason]
    ref = max(step1, key=lambda o: o.consistency)
    verdict: Verdict = "go"
    reasons = [
        f"{ref.name!r} reaches {fmt.pct(ref.consistency)} consistency against the {fmt.pct(c.target)} target"
    ]
    if req.data_must_stay_on_prem:
        verdict = "blocked"
        reasons.append("data must stay on premises, so no API can see it")
    elif ref.consistency < c.target:
        verdict = "not yet"
        reasons.append("prompting alone falls short of the target")
    elif req.needs_proprietary_data:
        verdict = "not yet"
        reasons.append("the task needs proprietary data, which prompting alone cannot reach (step 2)")
    elif req.latency_target_ms > 0 and ref.latency_ms > req.latency_target_ms:
        verdict = "not yet"
        reasons.append(
            f"its {ref.latency_ms:,.0f} ms latency misses the {req.latency_target_ms:,.0f} ms target"
        )
    reasons.append(c.volume_reason)
    return verdict, reasons


@step(2)
def add_rag(c: LadderContext) -> tuple[Verdict, list[str]]:
    rag_opts = [o for o in c.s.options if o.rag]
    if not c.req.needs_proprietary_data:
        return "not needed", ["the task does not need proprietary data (needs_proprietary_data = false)"]
    if not rag_opts:
        return "not yet", [
            "the task needs proprietary data; add an option with rag = true to price retrieval"
        ]
    if c.req.data_must_stay_on_prem and all(o.is_api for o in rag_opts):
        return "blocked", [
            "every RAG option sends the retrieved documents to an API; data must stay on premises"
        ]
    best = min(rag_opts, key=lambda o: c.tco[o.name])
    retrieval = c.figure(best, "retrieval")
    return "go", [
        f"the task needs proprietary data; {best.name!r} adds {fmt.whole(c.s.rag.context_tokens)} retrieved "
        f"tokens a request and {fmt.money(retrieval, c.cur)}/month of retrieval in month 1"
    ]


@step(3)
def prompt_caching(c: LadderContext) -> tuple[Verdict, list[str]]:
    """Judged on the baseline if it is an API option, else on the first plain API option."""
    share = c.s.workload.cacheable_share
    base = c.baseline
    ref = base if base is not None and base.is_api else (c.api_plain[0] if c.api_plain else None)
    model = c.s.api_model(ref.model) if ref is not None else None
    if share <= 0:
        return "not needed", ["no static prefix to cache (cacheable_share = 0)"]
    if ref is None or model is None:
        return "not needed", ["no API option to cache prompts for"]
    if c.req.data_must_stay_on_prem:
        return "blocked", ["caching is an API feature, and data must stay on premises"]
    if model.cached_price >= model.input:
        return "not needed", [
            f"{model.name}'s cached input price equals its input price: caching saves nothing"
        ]
    # The prompt's tokens without any retrieved context: the engine's `tin` adds RAG context, and no
    # engine column holds the prompt alone, so this one product stays here (quoting `tin` would change
    # the text whenever the reference option uses RAG).
    tin = c.s.workload.input_tokens * (1 - ref.prompt_reduction)
    tout = c.figure(ref, "tout")
    saving = c.monthly_requests * share * tin * (model.input - model.cached_price) / 1e6
    inference = c.monthly_requests * (tin * model.input + tout * model.output) / 1e6
    reasons = [
        f"{fmt.pct(share)} of {fmt.whole(tin)} input tokens is a static prefix: caching on {model.name} "
        f"saves {fmt.money(saving, c.cur)}/month in month 1"
        + (f" ({fmt.pct(saving / inference)} of its inference bill)" if inference > 0 else "")
    ]
    if not any(o.prompt_caching for o in c.s.options):
        reasons.append("no option has prompt_caching = true yet; add one to see it in the results")
    return "go", reasons


@step(4)
def fine_tune(c: LadderContext) -> tuple[Verdict, list[str]]:
    """Needed only when no plain API option meets the requirements; then judged by the five questions."""
    req = c.req
    api_ok = [o for o in c.api_plain if not shortfalls(c.s, o)]
    if api_ok:
        best = max(api_ok, key=lambda o: o.consistency)
        return "not needed", [
            f"{best.name!r} already meets the requirements ({fmt.pct(best.consistency)} against "
            f"{fmt.pct(c.target)})"
        ]
    reasons = [ask(c) for ask in QUESTIONS]
    examples = c.s.training.examples
    if examples < DATA_BLOCK:
        reasons.append(f"{fmt.whole(examples)} examples: under the {DATA_BLOCK} floor")
    elif examples < DATA_WARN:
        reasons.append(
            f"{fmt.whole(examples)} examples: above {DATA_BLOCK} but under the {fmt.whole(DATA_WARN)} usually needed"
        )
    else:
        reasons.append(f"{fmt.whole(examples)} training examples (at least {fmt.whole(DATA_WARN)} wanted)")
    stable_needed = max(STABLE_FLOOR, c.s.training.retrain_every_months)
    unstable = req.requirements_stable_months < stable_needed
    if unstable:
        reasons.append(
            f"requirements stay stable {req.requirements_stable_months:g} months, under the "
            f"{stable_needed} months a trained model needs"
        )
    if examples < DATA_BLOCK or unstable or not req.can_commit_to_maintenance:
        return "blocked", reasons
    if not c.ft:
        return "not yet", reasons
    if not c.ft_ok:
        return "not yet", [*reasons, f"no fine-tuned option reaches the {fmt.pct(c.target)} target"]
    if not ((c.high_volume and c.ft_beats_baseline) or req.data_must_stay_on_prem or c.latency_need):
        return "not yet", reasons
    return "go", reasons


@step(5)
def distill(c: LadderContext) -> tuple[Verdict, list[str]]:
    """Only after a justified fine-tuned path (or in place of a missing one), at scale, when cheaper."""
    dist = [o for o in c.s.options if o.distill]
    dist_ok = [o for o in dist if o.consistency >= c.target]
    best_d = min(dist_ok or dist, key=lambda o: c.tco[o.name]) if dist else None
    s4 = c.steps[4].verdict
    if s4 == "not needed":
        return "not needed", ["no fine-tuned path is needed, so nothing to distill"]
    if s4 != "go" and not (s4 == "not yet" and dist_ok and not c.ft):
        return "not yet", [f"the fine-tuned path is '{s4}' (step 4), so distilling is premature"]
    if best_d is None:
        return "not yet", ["no distilled option to compare; add one with distill = true and a teacher"]
    if not c.high_volume:
        return "not needed", [c.volume_reason + ": distillation pays at scale"]
    if not dist_ok:
        return "not yet", [
            f"{best_d.name!r} reaches {fmt.pct(best_d.consistency)}, under the {fmt.pct(c.target)} target"
        ]
    ft = c.best_ft if c.best_ft is not None and c.best_ft in c.ft_ok else None
    ref_cost = c.tco[ft.name] if ft is not None else c.base_tco
    ref_name = repr(ft.name) if ft is not None else "the baseline"
    d_cost = c.tco[best_d.name]
    H = c.s.horizon_months
    if ref_cost is None or d_cost < ref_cost:
        saving = (ref_cost - d_cost) if ref_cost is not None else 0.0
        return "go", [
            f"{best_d.name!r} costs {fmt.money(d_cost, c.cur)} over {H} months, "
            f"{fmt.money(saving, c.cur)} less than {ref_name}"
        ]
    return "not needed", [
        f"{best_d.name!r} costs {fmt.money(d_cost, c.cur)} over {H} months, not less than "
        f"{ref_name} at {fmt.money(ref_cost, c.cur)}"
    ]


@step(6)
def self_host(c: LadderContext) -> tuple[Verdict, list[str]]:
    """Only with a reason: data on premises, volume past a breakeven, or a latency API options miss."""
    req = c.req
    sh = [o for o in c.s.options if o.is_self_hosted]
    why: list[str] = []
    reasons: list[str] = []
    if req.data_must_stay_on_prem:
        why.append("data must stay on premises")
    rpd = c.s.workload.requests_per_day
    crossings = [
        (res.breakeven_requests_per_day, o.name)
        for o in sh
        if (res := c.r.option(o.name)) is not None and res.breakeven_requests_per_day is not None
    ]
    if crossings:
        v, name = min(crossings)
        if v == 0:
            why.append(f"{name!r} is never dearer than the baseline, at any volume (month-1 prices)")
        elif rpd >= v:
            res = c.r.option(name)
            tokens = res.breakeven_tokens_per_day if res is not None else None
            why.append(
                f"{fmt.count(rpd)} requests/day is past the {fmt.count(v)} breakeven of {name!r} "
                f"({fmt.count(tokens)} tokens/day)"
            )
        else:
            reasons.append(f"{fmt.count(rpd)} requests/day is under the {fmt.count(v)} breakeven of {name!r}")
    elif sh:
        reasons.append("no self-hosted option is ever cheaper than the baseline at month-1 prices")
    if c.latency_need and any(0 < o.latency_ms <= req.latency_target_ms for o in sh):
        why.append(f"API options miss the {req.latency_target_ms:,.0f} ms latency target")
    if not why:
        if not req.data_must_stay_on_prem:
            reasons.append("data may leave the network")
        if req.latency_target_ms <= 0:
            reasons.append("no latency target")
        return "not needed", reasons
    reasons = why + reasons
    if not sh:
        return "not yet", [*reasons, 'no self-hosted option to price; add one with serve = "self_hosted"']
    if not req.can_commit_to_maintenance:
        return "blocked", [*reasons, "the team cannot commit to running the servers"]
    return "go", reasons


# --- Step 4's five questions ----------------------------------------------------------------------------


@question
def q1_volume(c: LadderContext) -> str:
    return ("Q1 ✓ " if c.high_volume else "Q1 ✗ ") + c.volume_reason


@question
def q2_prompting_falls_short(c: LadderContext) -> str:
    if not c.api_plain:
        return "Q2 ✓ prompting falls short: no API option in this scenario"
    best = max(c.api_plain, key=lambda o: o.consistency)
    return f"Q2 ✓ prompting falls short: best API option {best.name!r}: {'; '.join(shortfalls(c.s, best))}"


@question
def q3_latency(c: LadderContext) -> str:
    target = c.req.latency_target_ms
    if target <= 0:
        return "Q3 – no latency requirement (latency_target_ms = 0)"
    if c.latency_need:
        return f"Q3 ✓ API latency {min(c.api_latency):,.0f} ms misses the {target:,.0f} ms target"
    return f"Q3 ✗ API latency meets the {target:,.0f} ms target (or is unknown)"


@question
def q4_maintenance(c: LadderContext) -> str:
    if c.req.can_commit_to_maintenance:
        return "Q4 ✓ the team can commit to maintenance"
    return "Q4 ✗ the team cannot commit to maintenance and retraining"


@question
def q5_tco(c: LadderContext) -> str:
    if c.best_ft is None or c.base_tco is None:
        return "Q5 ✗ no fine-tuned option to price; add one with fine_tune = true"
    name = c.best_ft.name
    return (
        f"Q5 {'✓' if c.ft_beats_baseline else '✗'} {name!r} costs {fmt.money(c.tco[name], c.cur)} over "
        f"{c.s.horizon_months} months against {fmt.money(c.base_tco, c.cur)} for the baseline"
    )


# --- The rungs above the ladder -------------------------------------------------------------------------


@rung(4)
def continued_pretraining(c: LadderContext) -> tuple[Verdict, list[str]]:
    if c.req.unique_domain_without_public_data:
        return "go", [
            "a unique domain with no public training data: teach the model the domain ($10,000 and up)"
        ]
    return "not needed", [
        "the domain has public data a foundation model has seen (unique_domain_without_public_data = false)"
    ]


@rung(5)
def training_from_scratch(c: LadderContext) -> tuple[Verdict, list[str]]:
    if c.req.unique_domain_without_public_data:
        return "not yet", [
            "only for unique data at massive scale with deep ML expertise ($10M-$100M and up); try level 4 first"
        ]
    return "not needed", ["foundation models cover this task; building one costs $10M-$100M and up"]


# --- The recommendation ---------------------------------------------------------------------------------


def _recommend(c: LadderContext) -> Recommendation:
    s = c.s
    if not s.options:
        return Recommendation(1, None, "no options to compare; add one to the Options grid")
    verdict = {n: st.verdict for n, st in c.steps.items()}
    tco, cur = c.tco, c.cur

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
    if c.r.cheapest and c.r.cheapest != pick.name:
        why += f"; {c.r.cheapest!r} is cheaper ({fmt.money(tco[c.r.cheapest], cur)}) but "
        cheapest = next(o for o in s.options if o.name == c.r.cheapest)
        miss = shortfalls(s, cheapest)
        why += miss[0] if miss else f"step {step_of(cheapest)} is '{verdict[step_of(cheapest)]}'"
    return Recommendation(k, pick.name, why)
