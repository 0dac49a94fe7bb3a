"""The decision ladder (docs/model.md section 4): six steps, two rungs above them, and a recommendation.

Each step, each of step 4's five questions and each rung is one small rule over a `LadderContext` (the
scenario, the engine's Results, and the figures several rules share, computed once), registered in
order with `@step(n)`, `@question` or `@rung(n)`; `build` walks the registries. Every verdict carries
reasons that quote the scenario's own numbers, so a reader can check the judgement against the grids.
Derived figures (tokens per request, retrieval, breakeven volumes) are read from the engine's Results.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from workbench.model import fmt
from workbench.model.catalog import RUNG_TITLES, STEP_TITLES
from workbench.model.engine import Results, compute, input_arrays, monthly_arrays
from workbench.model.scenario import Option, Requirements, Scenario

# A step's or rung's judgement; the report's JSON carries these exact strings.
Verdict = Literal["go", "not needed", "not yet", "blocked"]

VOLUME_FLOOR = 100_000  # requests a month: below it, fine-tuning rarely pays (a published guide)
DATA_BLOCK = 500  # training examples: under this, fine-tuning is blocked
DATA_WARN = 1000  # under this, a warning
STABLE_FLOOR = 6  # months: requirements that change within this block fine-tuning
PRICE_DROP = -0.3  # API prices falling this fast a year make a guide ask whether next year's model will do


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
    meets_requirements: bool = False  # its option meets every requirement and its step is 'go'
    misses: list[str] = field(default_factory=list)  # the requirements its option misses, in numbers

    def as_dict(self) -> dict:
        return {
            "step": self.step,
            "option": self.option,
            "why": self.why,
            "meets_requirements": self.meets_requirements,
            "misses": list(self.misses),
        }


NONE_MEETS = "no option meets every requirement"  # said first wherever a non-qualifying option is named


@dataclass
class Ladder:
    steps: list[Step]
    rungs: list[Step]
    recommendation: Recommendation


def step_of(o: Option) -> int:
    """Which ladder step (or rung, 7 and 8) an option carries: pre-training first, whatever else it does."""
    if o.pretrain == "scratch":
        return 8
    if o.pretrain == "continued":
        return 7
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


def distance(s: Scenario, o: Option) -> tuple[int, float, float]:
    """How far an option is from meeting the requirements: how many it misses, then by how much it
    misses the consistency and latency targets (equal distances are settled by TCO)."""
    req = s.requirements
    latency = max(0.0, o.latency_ms - req.latency_target_ms) if req.latency_target_ms > 0 else 0.0
    return len(shortfalls(s, o)), max(0.0, req.consistency_target - o.consistency), latency


@dataclass
class LadderContext:
    """What the rules read: the scenario, the engine's Results, the steps judged so far, and shared
    figures (each a cached property, so it is computed once and only if a rule asks for it)."""

    s: Scenario
    r: Results
    steps: dict[int, Step] = field(default_factory=dict)  # judged so far, by step number (rungs too)
    decisive: dict[int, str] = field(default_factory=dict)  # step -> what decided its verdict, if a rule says

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

    def meets(self, o: Option) -> bool:
        """The option meets every requirement."""
        return not shortfalls(self.s, o)

    def closest(self, options: list[Option]) -> Option:
        """The option nearest to meeting every requirement; equal distances go to the cheaper TCO."""
        return min(options, key=lambda o: (distance(self.s, o), self.tco[o.name]))

    def cheapest(self, options: list[Option]) -> Option:
        return min(options, key=lambda o: self.tco[o.name])

    def figure(self, o: Option, column: str) -> float:
        """The engine's month-1 value of one column for an option."""
        return self.column(o, column)[0]

    def index(self, o: Option) -> int:
        """The option's row in the engine's Results."""
        res = self.r.option(o.name)
        if res is None:
            raise KeyError(o.name)
        return res.index

    def column(self, o: Option, column: str) -> list[float]:
        """The engine's monthly values of one column for an option."""
        return self.r.series(self.index(o), column)

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
        """The options that carry step 4: fine-tuned, neither distilled nor pre-trained."""
        return [o for o in self.s.options if step_of(o) == 4]

    @cached_property
    def ft_ok(self) -> list[Option]:
        return [o for o in self.ft if self.meets(o)]

    @cached_property
    def best_ft(self) -> Option | None:
        """The cheapest fine-tuned option that meets every requirement (or the cheapest of all if none does)."""
        return self.cheapest(self.ft_ok or self.ft) if self.ft else None

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

    @cached_property
    def inference_without_caching(self) -> list[list[float]]:
        """Each option's monthly inference bill from the engine's formulas with prompt caching off, so a
        caching option's saving is the engine's own figure (its tokens include any RAG context it sends).
        Only the monthly formulas run: the saving needs no summary or breakeven search."""
        rows = input_arrays(self.s)
        rows["caching"] = np.zeros_like(rows["caching"])
        H = self.s.horizon_months
        return monthly_arrays(rows, H)["inference"].reshape(-1, H).tolist()

    @cached_property
    def flat_prices(self) -> Results:
        """The engine run again with API prices flat, for the breakeven month they would give."""
        market = self.s.market.model_copy(update={"api_price_change_per_year": 0.0})
        return compute(self.s.model_copy(update={"market": market}))


# A rule judges one step or rung: its verdict and the reasons, in the scenario's numbers.
Rule = Callable[[LadderContext], tuple[Verdict, list[str]]]
STEP_RULES: dict[int, Rule] = {}  # step number -> rule, in ladder order
RUNG_RULES: dict[int, Rule] = {}  # rung number (7, 8) -> rule, above the ladder
QUESTIONS: list[Callable[[LadderContext], str]] = []  # step 4's five questions, in order


def step(n: int) -> Callable[[Rule], Rule]:
    """Register the rule of ladder step n (its title is STEP_TITLES[n])."""

    def register(rule: Rule) -> Rule:
        STEP_RULES[n] = rule
        return rule

    return register


def rung(n: int) -> Callable[[Rule], Rule]:
    """Register the rule of rung n (7, 8: numbered on from the six steps; its title is RUNG_TITLES[n])."""

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
    six = list(c.steps.values())
    for n, rule in RUNG_RULES.items():  # judged after the steps; c.steps holds them too from here
        c.steps[n] = Step(n, RUNG_TITLES[n], *rule(c))
    rungs = [c.steps[n] for n in RUNG_RULES]
    for o, line in _price_drop_notes(c):
        if step_of(o) in c.steps:
            c.steps[step_of(o)].reasons.append(line)
    return Ladder(six, rungs, _recommend(c))


def _price_drop_notes(c: LadderContext) -> list[tuple[Option, str]]:
    """A guide asks "will next quarter's model make this unnecessary?": when API prices fall 30% a year
    or faster, each trained or self-hosted option that pays back only after month 12, with the month it
    would pay back if API prices stayed flat."""
    drop = c.s.market.api_price_change_per_year
    if drop > PRICE_DROP:
        return []
    out = []
    H = c.s.horizon_months
    for o in c.s.options:
        res = c.r.option(o.name)
        if res is None or res.is_baseline or not (o.adapts or o.is_self_hosted):
            continue
        month = res.breakeven_month
        if month is not None and month <= 12:
            continue
        flat = c.flat_prices.option(o.name)
        flat_month = flat.breakeven_month if flat is not None else None
        pays = f"pays back only in month {month}" if month is not None else f"does not pay back in {H} months"
        with_flat = f"month {flat_month}" if flat_month is not None else "never"
        out.append(
            (
                o,
                f"API prices change {fmt.pct(drop)} a year: {o.name!r} {pays} (with flat API prices: "
                f"{with_flat}); next year's API model may make it unnecessary",
            )
        )
    return out


def explain(c: LadderContext, n: int) -> str:
    """Why step n has its verdict, in one line: what its rule noted as decisive, else all its reasons."""
    return c.decisive.get(n) or "; ".join(c.steps[n].reasons)


# --- The six steps ------------------------------------------------------------------------------------


@step(1)
def api_prompting(c: LadderContext) -> tuple[Verdict, list[str]]:
    """Judged on every plain API option: go when one of them meets every requirement."""
    req = c.req
    step1 = [o for o in c.api_plain if step_of(o) == 1] or c.api_plain
    if not step1:
        return "not yet", ["no API option in this scenario to judge prompting by; add one", c.volume_reason]
    ok = [o for o in step1 if c.meets(o)]
    ref = c.cheapest(ok) if ok else c.closest(step1)
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
    elif req.needs_proprietary_data and not ok:
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
    """Judged on every API option with retrieval; go when the task needs proprietary data (or prompting
    alone falls short and retrieval meets the requirements) and one of them meets every requirement."""
    rag_opts = [o for o in c.s.options if o.rag and step_of(o) in (2, 3)]
    ok = [o for o in rag_opts if c.meets(o)]
    if not c.req.needs_proprietary_data:
        if ok and c.steps[1].verdict != "go":
            best = c.cheapest(ok)
            return "go", [
                f"prompting alone falls short; with retrieval {best.name!r} reaches {fmt.pct(best.consistency)} "
                f"against the {fmt.pct(c.target)} target"
            ]
        return "not needed", ["the task does not need proprietary data (needs_proprietary_data = false)"]
    if not rag_opts:
        return "not yet", [
            "the task needs proprietary data; add an option with rag = true to price retrieval"
        ]
    if c.req.data_must_stay_on_prem:
        return "blocked", [
            "every RAG option sends the retrieved documents to an API; data must stay on premises"
        ]
    best = c.cheapest(ok) if ok else c.closest(rag_opts)
    retrieval = c.figure(best, "retrieval")
    reasons = [
        f"the task needs proprietary data; {best.name!r} adds {fmt.whole(c.s.rag.context_tokens)} retrieved "
        f"tokens a request and {fmt.money(retrieval, c.cur)}/month of retrieval in month 1"
    ]
    if not ok:
        return "not yet", [
            *reasons,
            f"no RAG option meets every requirement: {'; '.join(shortfalls(c.s, best))}",
        ]
    return "go", reasons


@step(3)
def prompt_caching(c: LadderContext) -> tuple[Verdict, list[str]]:
    """Judged on every API option that caches, by the engine's own saving (its run without caching)."""
    share = c.s.workload.cacheable_share
    if share <= 0:
        return "not needed", ["no static prefix to cache (cacheable_share = 0)"]
    if not any(o.is_api for o in c.s.options):
        return "not needed", ["no API option to cache prompts for"]
    if c.req.data_must_stay_on_prem:
        return "blocked", ["caching is an API feature, and data must stay on premises"]
    cachers = [o for o in c.s.options if o.is_api and o.prompt_caching]
    if not cachers:
        return "not yet", [
            f"{fmt.pct(share)} of the input is a static prefix, but no option has prompt_caching = true; "
            "add one to price the saving"
        ]
    H = c.s.horizon_months
    reasons = []
    saves = False
    for o in cachers:
        without = sum(c.inference_without_caching[c.index(o)])
        saving = without - sum(c.column(o, "inference"))
        saves = saves or saving > 1e-9 * (abs(without) + 1)
        tokens = c.figure(o, "tin")
        reasons.append(
            f"{fmt.pct(share)} of {fmt.whole(tokens)} input tokens is a static prefix: caching saves {o.name!r} "
            f"{fmt.money(saving, c.cur)} over {H} months"
            + (f" ({fmt.pct(saving / without)} of its API bill)" if without > 0 else "")
        )
    if not saves:
        return "not needed", [*reasons, "cached input costs what input costs: caching saves nothing"]
    return "go", reasons


@step(4)
def fine_tune(c: LadderContext) -> tuple[Verdict, list[str]]:
    """Needed only when no option without training meets the requirements; then judged by the five
    questions, and the last reason says what decided the verdict, in numbers."""
    req = c.req
    untrained = [o for o in c.s.options if not o.adapts and not o.pretrains and c.meets(o)]
    if untrained:
        best = c.cheapest(untrained)
        return "not needed", [
            f"{best.name!r} already meets the requirements without training ({fmt.pct(best.consistency)} "
            f"against {fmt.pct(c.target)})"
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
        blockers = [
            *([f"{fmt.whole(examples)} examples"] if examples < DATA_BLOCK else []),
            *([f"requirements stable {req.requirements_stable_months:g} months"] if unstable else []),
            *(["no team to maintain it"] if not req.can_commit_to_maintenance else []),
        ]
        c.decisive[4] = ", ".join(blockers)
        return "blocked", [*reasons, f"blocked: {c.decisive[4]}"]
    if not c.ft:
        c.decisive[4] = "no fine-tuned option to price; add one with fine_tune = true"
        return "not yet", [*reasons, f"not yet: {c.decisive[4]}"]
    if not c.ft_ok:
        near = c.closest(c.ft)
        c.decisive[4] = (
            f"no fine-tuned option meets every requirement ({near.name!r}: {'; '.join(shortfalls(c.s, near))})"
        )
        return "not yet", [*reasons, f"not yet: {c.decisive[4]}"]
    best_ft = c.best_ft
    assert best_ft is not None
    tco, base, H = c.tco[best_ft.name], c.base_tco, c.s.horizon_months
    carried = []
    if c.high_volume and c.ft_beats_baseline and base is not None:
        carried.append(
            f"{fmt.money(base - tco, c.cur)} less than the baseline over {H} months at "
            f"{fmt.count(c.monthly_requests)} requests/month"
        )
    if req.data_must_stay_on_prem:
        carried.append("data must stay on premises")
    if c.latency_need:
        carried.append(
            f"API latency {min(c.api_latency):,.0f} ms misses the {req.latency_target_ms:,.0f} ms target"
        )
    if carried:
        c.decisive[4] = "; ".join(carried)
        return "go", [*reasons, f"go: {best_ft.name!r} meets every requirement; {c.decisive[4]}"]
    cost = (
        f"costs {fmt.money(tco, c.cur)} over {H} months against {fmt.money(base, c.cur)} for the baseline"
        if base is not None
        else f"costs {fmt.money(tco, c.cur)} over {H} months"
    )
    c.decisive[4] = (
        f"it {cost}, at {fmt.count(c.monthly_requests)} requests/month, with no latency or on-premises need"
    )
    return "not yet", [*reasons, f"not yet: {best_ft.name!r} meets every requirement, but {c.decisive[4]}"]


@step(5)
def distill(c: LadderContext) -> tuple[Verdict, list[str]]:
    """Only after a justified fine-tuned path (or in place of a missing one), at scale, when cheaper."""
    dist = [o for o in c.s.options if step_of(o) == 5]
    dist_ok = [o for o in dist if c.meets(o)]
    best_d = c.cheapest(dist_ok) if dist_ok else (c.closest(dist) if dist else None)
    s4 = c.steps[4].verdict
    if s4 == "not needed":
        return "not needed", ["no fine-tuned path is needed, so nothing to distill"]
    if s4 != "go" and not (s4 == "not yet" and dist_ok and not c.ft):
        return "not yet", [f"the fine-tuned path is '{s4}' (step 4), so distilling is premature"]
    if best_d is None:
        return "not yet", ["no distilled option to compare; add one with distill = true and a teacher"]
    if not dist_ok:
        return "not yet", [f"{best_d.name!r} misses: {'; '.join(shortfalls(c.s, best_d))}"]
    ft = c.best_ft if c.best_ft is not None and c.best_ft in c.ft_ok else None
    ref_cost = c.tco[ft.name] if ft is not None else c.base_tco
    ref_name = repr(ft.name) if ft is not None else "the baseline"
    d_cost = c.tco[best_d.name]
    H = c.s.horizon_months
    if ref_cost is None or d_cost < ref_cost:  # cheaper over the horizon: no volume rule can argue
        saving = (ref_cost - d_cost) if ref_cost is not None else 0.0
        return "go", [
            f"{best_d.name!r} costs {fmt.money(d_cost, c.cur)} over {H} months, "
            f"{fmt.money(saving, c.cur)} less than {ref_name}"
        ]
    if not c.high_volume:
        return "not needed", [c.volume_reason + ": distillation pays at scale"]
    return "not needed", [
        f"{best_d.name!r} costs {fmt.money(d_cost, c.cur)} over {H} months, not less than "
        f"{ref_name} at {fmt.money(ref_cost, c.cur)}"
    ]


@step(6)
def self_host(c: LadderContext) -> tuple[Verdict, list[str]]:
    """Only with a reason (data on premises, volume past a breakeven, or a latency API options miss),
    judged on the self-hosted options that meet every requirement (on all of them if none does)."""
    req = c.req
    sh_all = [o for o in c.s.options if o.is_self_hosted and step_of(o) <= 6]  # rungs 7, 8 judge the rest
    sh = [o for o in sh_all if c.meets(o)] or sh_all
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
    if not any(c.meets(o) for o in sh):
        best = c.closest(sh)
        return "not yet", [
            *reasons,
            f"no self-hosted option meets every requirement ({best.name!r}: {'; '.join(shortfalls(c.s, best))})",
        ]
    return "go", reasons


# --- Step 4's five questions ----------------------------------------------------------------------------


@question
def q1_volume(c: LadderContext) -> str:
    return ("Q1 ✓ " if c.high_volume else "Q1 ✗ ") + c.volume_reason


@question
def q2_prompting_falls_short(c: LadderContext) -> str:
    if not c.api_plain:
        return "Q2 ✓ prompting falls short: no API option in this scenario"
    best = c.closest(c.api_plain)
    return f"Q2 ✓ prompting falls short: best API option {best.name!r}: {'; '.join(shortfalls(c.s, best))}"


@question
def q3_latency(c: LadderContext) -> str:
    target = c.req.latency_target_ms
    # The guide: "is latency critical? If no, use an API." No target is a no, and is shown as one.
    if target <= 0:
        return "Q3 ✗ latency is not critical (latency_target_ms = 0): on latency alone, an API will do"
    if c.latency_need:
        return f"Q3 ✓ API latency {min(c.api_latency):,.0f} ms misses the {target:,.0f} ms target"
    if not c.api_latency:
        return f"Q3 ✗ no API option states its latency against the {target:,.0f} ms target"
    return f"Q3 ✗ API latency {min(c.api_latency):,.0f} ms meets the {target:,.0f} ms target"


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


def _short(x: float) -> str:
    """A count without trailing zeros: 8B, 50B, 1.5T."""
    text = fmt.count(x)
    body = text.rstrip("kMBT")
    if "." in body:
        body = body.rstrip("0").rstrip(".")
    return body + text[len(text.rstrip("kMBT")) :]


def pretrain_price(c: LadderContext, o: Option) -> str:
    """One option's pre-training in the scenario's numbers, every figure the engine's: tokens, GPU-hours,
    money (month 1's pretraining component) and days on the [pretraining] GPUs."""
    res = c.r.option(o.name)
    hours = res.pretrain_gpu_hours if res is not None else None
    days = res.pretrain_days if res is not None else None
    if hours is None or days is None:
        return f"{o.name!r}: no pre-training figures (check [pretraining].gpu)"
    p = c.s.pretraining
    params = _short(p.params)
    article = "an" if params.startswith(("8", "11", "18")) else "a"
    return (
        f"{o.name!r}: {_short(c.figure(o, 'pre_tokens_eff'))} tokens on {article} {params} model: "
        f"{fmt.whole(hours) if math.isfinite(hours) else fmt.count(hours)} GPU-hours, "
        f"{fmt.money(c.figure(o, 'pretraining'), c.cur)}, "
        f"{fmt.count(days)} days on {fmt.whole(p.gpus)} GPUs"
    )


def _pretraining(c: LadderContext, n: int, kind: str, common: str, priced: str) -> tuple[Verdict, list[str]]:
    """Not needed unless the domain is unique with no public data; then go when an option pre-trained
    this way meets every requirement, not yet when none exists or none does. When the domain is not
    unique the rung says `common`, or `priced` followed by the prices when options pre-train this way."""
    opts = [o for o in c.s.options if step_of(o) == n]
    prices = [pretrain_price(c, o) for o in opts]
    if not c.req.unique_domain_without_public_data:
        return "not needed", [priced, *prices] if prices else [common]
    if not opts:
        c.decisive[n] = f'no option with pretrain = "{kind}" to price; add one'
        return "not yet", [f"a unique domain with no public training data; {c.decisive[n]}"]
    ok = [o for o in opts if c.meets(o)]
    if ok:
        best = c.cheapest(ok)
        return "go", [
            *prices,
            f"{best.name!r} meets every requirement: {fmt.money(c.tco[best.name], c.cur)} over "
            f"{c.s.horizon_months} months",
        ]
    near = c.closest(opts)
    c.decisive[n] = f"{near.name!r} misses: {'; '.join(shortfalls(c.s, near))}"
    return "not yet", [*prices, c.decisive[n]]


@rung(7)
def continued_pretraining(c: LadderContext) -> tuple[Verdict, list[str]]:
    public = (
        "the domain has public data a foundation model has seen (unique_domain_without_public_data = false)"
    )
    return _pretraining(c, 7, "continued", public, public)


@rung(8)
def training_from_scratch(c: LadderContext) -> tuple[Verdict, list[str]]:
    return _pretraining(
        c,
        8,
        "scratch",
        "foundation models cover this task; building one costs $10M-$100M and up",
        "foundation models cover this task (unique_domain_without_public_data = false)",
    )


# --- The recommendation ---------------------------------------------------------------------------------


def _recommend(c: LadderContext) -> Recommendation:
    """The lowest 'go' step with an option that meets every requirement, and its cheapest such option;
    else the option closest to meeting them, said so first."""
    s = c.s
    if not s.options:
        return Recommendation(1, None, "no options to compare; add one to the Options grid")
    verdict = {n: st.verdict for n, st in c.steps.items()}
    tco, cur, H = c.tco, c.cur, s.horizon_months

    def on_go(o: Option) -> bool:
        return verdict.get(step_of(o)) == "go"

    ok = [o for o in s.options if c.meets(o) and on_go(o)]
    if not ok:
        pool = [o for o in s.options if verdict.get(step_of(o)) != "blocked"] or list(s.options)
        pick = c.closest(pool)
        k = step_of(pick)
        misses = shortfalls(s, pick)
        cost = f"{fmt.money(tco[pick.name], cur)} over {H} months"
        if misses:
            why = f"{NONE_MEETS}; {pick.name!r} comes closest ({'; '.join(misses)}), {cost}"
        else:
            said = explain(c, k)
            why = (
                f"{NONE_MEETS} on a 'go' step; {pick.name!r} meets them, but "
                f"step {k} ({c.steps[k].title}) is '{verdict[k]}': {said}"
                + ("" if fmt.money(tco[pick.name], cur) in said else f"; it costs {cost}")
            )
        for o in s.options:
            j = step_of(o)
            if o is not pick and c.meets(o) and verdict.get(j) == "blocked":
                why += (
                    f"; {o.name!r} meets them but step {j} ({c.steps[j].title}) is blocked: {explain(c, j)}"
                )
        return Recommendation(k, pick.name, why, False, misses)
    low = min(step_of(o) for o in ok)
    pick = c.cheapest([o for o in ok if step_of(o) == low])
    upgrade = {1: 3, 2: 3, 4: 5}.get(low)
    if upgrade is not None:
        better = [o for o in ok if step_of(o) == upgrade and tco[o.name] < tco[pick.name]]
        if better:
            pick = c.cheapest(better)
    k = step_of(pick)
    why = (
        f"{pick.name!r} is the lowest step that meets the requirements: consistency {fmt.pct(pick.consistency)} "
        f"against {fmt.pct(s.requirements.consistency_target)}, {fmt.money(tco[pick.name], cur)} over {H} months"
    )
    cheaper = [o for o in s.options if tco[o.name] < tco[pick.name]]
    if cheaper:
        o = c.cheapest(cheaper)
        j = step_of(o)
        less = fmt.money(tco[pick.name] - tco[o.name], cur)
        why += f"; {o.name!r} costs {less} less but "
        miss = shortfalls(s, o)
        if miss:
            why += "; ".join(miss)
        elif verdict.get(j) != "go":
            why += f"step {j} ({c.steps[j].title}) is '{verdict[j]}': {explain(c, j)}"
        else:
            why += f"it is step {j} ({c.steps[j].title}), and step {k} already meets every requirement"
    return Recommendation(k, pick.name, why, True, [])
