"""The guides' own decision aids, evaluated on one scenario: the executive decision matrix and the radar of
qualities (docs in the README, "The guides' decision aids").

Both are data: each matrix row is the guide's situation and advice, a rule in words, a test over the
scenario and the engine's Results, and which options its advice points to; each radar quality is a title,
its rule in words and a score (0-5) per option from the scenario's own numbers. The panes and the CLI print
the rules beside the figures, so a reader can check every verdict and score against the grids.

Pure: reads a Scenario and its Results (already computed) and nothing else; cheap (no engine run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from workbench.model import fmt
from workbench.model.engine import STEADY_COMPONENTS, Results
from workbench.model.ladder import STABLE_FLOOR, VOLUME_FLOOR, Ladder, step_of
from workbench.model.scenario import Option, Scenario

TOP = 5  # the radar's scale: 0..TOP, higher is better on every axis
NOT_ASKED = "not asked (no input)"


# --- what the aids read, computed once per Analysis -------------------------------------------------------
@dataclass
class Context:
    s: Scenario
    r: Results
    ladder: Ladder | None = None

    @property
    def monthly_requests(self) -> float:
        """Requests in month 1: requests/day x days/month (the ladder's figure)."""
        return self.s.workload.requests_per_day * self.s.workload.days_per_month

    @property
    def horizon_requests(self) -> float | None:
        """Requests in the horizon's last month, the engine's own figure (with growth)."""
        if not self.r.options:
            return None
        return float(self.r.series(0, "req")[-1])

    @property
    def picked(self) -> str | None:
        return self.ladder.recommendation.option if self.ladder is not None else None

    def tco(self, i: int) -> float:
        return self.r.options[i].tco

    def steady_at_horizon(self, i: int) -> float:
        """The option's running cost in the horizon's last month: the recurring components only (inference,
        retrieval, review, people, fixed, fallback), at the volume of that month."""
        return self.steady_costs[i]

    def setup_cost(self, i: int) -> float:
        """What the option pays before it serves: month 1's one-time and pre-training components."""
        return self.setup_costs[i]

    # Read once per option: each option's score compares it with every other one's (n² reads otherwise,
    # each a month series copied out of the frame).
    @cached_property
    def steady_costs(self) -> list[float]:
        n = len(self.r.options)
        return [sum(float(self.r.series(i, c)[-1]) for c in STEADY_COMPONENTS) for i in range(n)]

    @cached_property
    def setup_costs(self) -> list[float]:
        n = len(self.r.options)
        return [
            float(self.r.series(i, "one_time")[0]) + float(self.r.series(i, "pretraining")[0])
            for i in range(n)
        ]


# --- the executive decision matrix -------------------------------------------------------------------------
Holds = bool | None  # None: the condition needs something the scenario has no input for


@dataclass(frozen=True)
class Row:
    """One row of the guide's matrix: its situation and advice in the guide's words, its rule in ours, the
    test over a scenario (holds, and the figures it read), and which options the advice points to."""

    n: int
    situation: str
    advice: str
    approach: str
    rule: str
    test: Callable[[Context], tuple[Holds, str]]
    points_to: Callable[[Option], bool]


@dataclass
class RowResult:
    row: Row
    holds: Holds
    here: str  # the scenario's figures the test read, in words
    options: list[str]  # the options its advice points to, cheapest TCO first
    agrees: bool | None  # the ladder's pick is among them; None when the row does not fire or none matches

    def as_dict(self) -> dict:
        return {
            "row": self.row.n,
            "situation": self.row.situation,
            "rule": self.row.rule,
            "holds": self.holds,
            "here": self.here,
            "advice": self.row.advice,
            "options": list(self.options),
            "agrees_with_ladder": self.agrees,
        }


def _prompting_only(o: Option) -> bool:
    """An API option that trains nothing and retrieves nothing: prompting (with or without caching)."""
    return o.is_api and not o.adapts and not o.rag and not o.pretrains


def _volume_low(c: Context) -> tuple[Holds, str]:
    w = c.s.workload
    text = (
        f"{fmt.count(w.requests_per_day)}/day x {w.days_per_month:g} days = "
        f"{fmt.count(c.monthly_requests)} requests in month 1"
    )
    later = c.horizon_requests
    if later is not None and abs(later - c.monthly_requests) > 0.5:
        text += f", {fmt.count(later)} in month {c.s.horizon_months}"
    return c.monthly_requests < VOLUME_FLOOR, text


def _volume_high(c: Context) -> tuple[Holds, str]:
    holds, text = _volume_low(c)
    if holds:
        return False, text
    return None, f"{text}; validated task: {NOT_ASKED}"


def _proprietary(c: Context) -> tuple[Holds, str]:
    v = c.s.requirements.needs_proprietary_data
    return v, f"needs_proprietary_data = {'yes' if v else 'no'}"


def _consistency(c: Context) -> tuple[Holds, str]:
    plain = [o for o in c.s.options if _prompting_only(o)]
    target = f"(target {fmt.pct(c.s.requirements.consistency_target, 1)})"
    if not plain:
        return None, f"no prompting-only API option states what prompting reaches {target}"
    best = max(plain, key=lambda o: o.consistency)
    return best.consistency < c.s.requirements.consistency_target, (
        f"best prompting-only option {best.name!r}: {fmt.pct(best.consistency, 1)} {target}"
    )


def _on_prem(c: Context) -> tuple[Holds, str]:
    v = c.s.requirements.data_must_stay_on_prem
    return v, f"data_must_stay_on_prem = {'yes' if v else 'no'}"


def _unique(c: Context) -> tuple[Holds, str]:
    v = c.s.requirements.unique_domain_without_public_data
    return v, f"unique_domain_without_public_data = {'yes' if v else 'no'}"


def _changing(c: Context) -> tuple[Holds, str]:
    months = c.s.requirements.requirements_stable_months
    return months < STABLE_FLOOR, f"requirements_stable_months = {months:g}"


MATRIX: tuple[Row, ...] = (
    Row(
        1,
        "Volume under 100K requests/month",
        "API + prompting. Don't over-invest.",
        "API + prompting",
        f"requests/day x days/month in month 1 < {fmt.count(VOLUME_FLOOR)}",
        _volume_low,
        _prompting_only,
    ),
    Row(
        2,
        "Needs proprietary data access",
        "Add RAG: keep the model general, make the data specific.",
        "RAG",
        "needs_proprietary_data is yes",
        _proprietary,
        lambda o: o.rag and not o.adapts and not o.pretrains,
    ),
    Row(
        3,
        "Output consistency under the target (the guide says 95%)",
        "Consider fine-tuning: the 85% to 99% jump justifies it in production.",
        "fine-tuning",
        "the best prompting-only API option's consistency < consistency_target (default 95%, the guide's bar)",
        _consistency,
        lambda o: step_of(o) == 4,
    ),
    Row(
        4,
        "Volume over 100K requests/month on a validated task",
        "Fine-tune + distill: the savings compound at scale.",
        "fine-tune + distill",
        f"month-1 requests >= {fmt.count(VOLUME_FLOOR)}, and the task is validated",
        _volume_high,
        lambda o: step_of(o) in (4, 5),
    ),
    Row(
        5,
        "Data cannot leave the network",
        "Self-host open-source models; accept the operational overhead.",
        "self-hosting",
        "data_must_stay_on_prem is yes",
        _on_prem,
        lambda o: o.is_self_hosted,
    ),
    Row(
        6,
        "Unique domain with no public training data",
        "Continued pre-training: rare, but necessary for specialized fields.",
        "continued pre-training",
        "unique_domain_without_public_data is yes",
        _unique,
        lambda o: o.pretrain == "continued",
    ),
    Row(
        7,
        "Tasks change frequently",
        "Stay with APIs: fine-tuned models are rigid, prompts are flexible.",
        "API",
        f"requirements_stable_months < {STABLE_FLOOR}",
        _changing,
        lambda o: o.is_api and not o.adapts,
    ),
)


@dataclass
class Matrix:
    rows: list[RowResult]
    picked: str | None  # the ladder's recommended option

    @property
    def firing(self) -> list[RowResult]:
        return [x for x in self.rows if x.holds]

    @property
    def maybe(self) -> list[RowResult]:
        return [x for x in self.rows if x.holds is None]

    def summary(self) -> str:
        """One line: which rows fire, and whether the ladder's pick is among what they point to."""
        fire = self.firing
        if not fire:
            text = "no row fires"
        else:
            text = "fires: " + ", ".join(f"{x.row.n} ({x.row.approach})" for x in fire)
        if self.maybe:
            text += "; undecided: " + ", ".join(str(x.row.n) for x in self.maybe) + " (see its figures)"
        if self.picked is not None and fire:
            agree = [str(x.row.n) for x in fire if x.agrees]
            differ = [str(x.row.n) for x in fire if x.agrees is False]
            text += f". The ladder picks {self.picked!r}"
            if agree:
                text += f": agrees with row {', '.join(agree)}"
            if differ:
                text += ("; " if agree else ": ") + f"differs from row {', '.join(differ)}"
        return text

    def as_dict(self) -> dict:
        return {
            "rows": [x.as_dict() for x in self.rows],
            "fires": [x.row.n for x in self.firing],
            "ladder_pick": self.picked,
            "summary": self.summary(),
        }


def matrix(s: Scenario, r: Results, ladder: Ladder | None = None) -> Matrix:
    c = Context(s, r, ladder)
    out = []
    for row in MATRIX:
        holds, here = row.test(c)
        matches = [i for i, o in enumerate(s.options) if row.points_to(o)]
        names = [s.options[i].name for i in sorted(matches, key=c.tco)]
        agrees = (c.picked in names) if holds is not False and names and c.picked is not None else None
        out.append(RowResult(row, holds, here, names, agrees))
    return Matrix(out, c.picked)


# --- the radar of qualities -----------------------------------------------------------------------------
Score = tuple[int | None, str]  # the score (None: no figure to score it by) and the figures it came from


def _clamp(x: float) -> int:
    return max(0, min(TOP, int(x + 0.5)))


def _privacy(c: Context, i: int) -> Score:
    o = c.s.options[i]
    shares = o.rag or o.adapts
    teacher = o.distill or (o.adapts and o.by_provider)
    if o.is_self_hosted:
        score = TOP - (1 if teacher else 0)
        why = "self-hosted" + (", training data goes to an API" if teacher else "")
    elif c.s.requirements.data_must_stay_on_prem:
        score, why = 0, "API, and data must stay on premises"
    else:
        score = 2 - (1 if shares else 0)
        why = "API" + (", sends documents or training data" if shares else ", sends prompts")
    return score, why


def _speed(c: Context, i: int) -> Score:
    o = c.s.options[i]
    known = [x.latency_ms for x in c.s.options if x.latency_ms > 0]
    if o.latency_ms <= 0:
        return None, "latency_ms not given"
    score = _clamp(TOP * min(known) / o.latency_ms)
    target = c.s.requirements.latency_target_ms
    why = f"{o.latency_ms:,.0f} ms, fastest {min(known):,.0f} ms"
    if target > 0 and o.latency_ms > target:
        score = min(score, 2)
        why += f", misses the {target:,.0f} ms target"
    return max(score, 1), why


def _strategy_control(o: Option) -> tuple[int, str]:
    """How much of the output the strategy itself shapes: the guide's order, prompting < RAG < fine-tune <
    pre-train (own weights, untrained, rank with RAG: decoding can be constrained, the model is not taught)."""
    if o.pretrains:
        return 5, "pre-trained"
    if o.adapts:
        return 4, "distilled" if o.distill else "fine-tuned"
    if o.rag:
        return 2, "RAG"
    if o.is_self_hosted:
        return 2, "own weights"
    return 1, "prompting"


def _control(c: Context, i: int) -> Score:
    o = c.s.options[i]
    base, kind = _strategy_control(o)
    target = c.s.requirements.consistency_target
    meets = o.consistency >= target
    return min(TOP, base + (1 if meets else 0)), (
        f"{kind}, consistency {fmt.pct(o.consistency, 1)} "
        + ("meets" if meets else "under")
        + f" {fmt.pct(target, 1)}"
    )


def _setup(c: Context, i: int) -> Score:
    o = c.s.options[i]
    top = max(c.setup_costs)
    share = c.setup_cost(i) / top if top > 0 else 0.0
    wait = o.go_live_month - 1
    score = TOP - int(3 * share + 0.5) - min(2, -(-wait // 3))
    why = f"{fmt.money(c.setup_cost(i), c.s.currency)} up front, live in month {o.go_live_month}"
    return max(0, score), why


def _cost(c: Context, i: int) -> Score:
    mine = c.steady_at_horizon(i)
    low = min(c.steady_costs)
    if mine <= 0:
        return TOP, f"{fmt.money(mine, c.s.currency)}/month in month {c.s.horizon_months}"
    return max(1, _clamp(TOP * max(low, 0.0) / mine)), (
        f"{fmt.money(mine, c.s.currency)}/month in month {c.s.horizon_months}, "
        f"cheapest {fmt.money(low, c.s.currency)}"
    )


def _flexibility(c: Context, i: int) -> Score:
    o = c.s.options[i]
    if o.pretrains:
        return 1, "a pre-trained model: months to redo"
    if o.adapts:
        every = c.s.training.retrain_every_months
        stable = c.s.requirements.requirements_stable_months
        keeps_up = 0 < every <= stable
        why = f"retrains every {every} months" if every else "never retrains"
        return (3 if keeps_up else 2), why + f"; the task holds {stable:g} months"
    if o.is_self_hosted:
        return 4, "prompts, on a model you redeploy to change"
    return TOP, "a prompt change is live the same day"


@dataclass(frozen=True)
class Quality:
    key: str
    title: str
    rule: str
    score: Callable[[Context, int], Score]


RADAR: tuple[Quality, ...] = (
    Quality(
        "privacy",
        "Data privacy",
        "self-hosted 5 (4 if training data goes to an API); an API 2, 1 if it sends documents or "
        "training data, 0 if data must stay on premises",
        _privacy,
    ),
    Quality(
        "speed",
        "Speed",
        "5 x fastest latency_ms / its latency_ms (at least 1), at most 2 if it misses "
        "latency_target_ms; ? when latency_ms is 0 (unknown)",
        _speed,
    ),
    Quality(
        "control",
        "Output control",
        "by strategy: prompting 1, RAG or own weights 2, fine-tune or distill 4, pre-train 5; "
        "+1 (to 5) if its consistency meets consistency_target",
        _control,
    ),
    Quality(
        "setup",
        "Setup effort",
        "5 = least: 5 - 3 x its up-front cost (one-time + pre-training) / the largest option's "
        "- 1 per 3 months before go-live (at most 2)",
        _setup,
    ),
    Quality(
        "cost",
        "Cost at scale",
        "5 x the cheapest running cost / its running cost, in the horizon's last month "
        "(recurring components at that month's volume; at least 1)",
        _cost,
    ),
    Quality(
        "flexibility",
        "Flexibility",
        "API without training 5; self-hosted without training 4; fine-tune or distill 3 if it "
        "retrains at least as often as requirements_stable_months, else 2; pre-trained 1",
        _flexibility,
    ),
)


@dataclass
class Radar:
    qualities: tuple[Quality, ...]
    options: list[str]
    scores: list[list[Score]]  # [quality][option]

    def score(self, quality: str, option: int) -> int | None:
        k = next(n for n, q in enumerate(self.qualities) if q.key == quality)
        return self.scores[k][option][0]

    def as_dict(self) -> dict:
        return {
            "scale": TOP,
            "qualities": [
                {
                    "key": q.key,
                    "title": q.title,
                    "rule": q.rule,
                    "scores": {
                        name: {"score": sc, "from": why}
                        for name, (sc, why) in zip(self.options, row, strict=True)
                    },
                }
                for q, row in zip(self.qualities, self.scores, strict=True)
            ],
        }


def radar(s: Scenario, r: Results) -> Radar:
    c = Context(s, r)
    n = len(r.options)
    scores = [[q.score(c, i) for i in range(n)] for q in RADAR]
    return Radar(RADAR, [o.name for o in s.options[:n]], scores)


def aids_dict(s: Scenario, r: Results, ladder: Ladder | None) -> dict:
    """Both aids as JSON-ready data (the CLI's --format json)."""
    return {"matrix": matrix(s, r, ladder).as_dict(), "radar": radar(s, r).as_dict()}
