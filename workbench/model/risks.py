"""The risk checklist (docs/model.md section 5): each catalog risk judged on a scenario and its results.

Each risk is one small rule over a `RiskContext` (the scenario, the engine's Results and the
recommendation), registered under its catalog id with `@risk(id)`; `evaluate` walks the catalog. Rules
read per-option figures (GPUs, load, people, data, retraining) from the engine's Results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from workbench.model import fmt
from workbench.model.catalog import RISK_IDS, RISKS
from workbench.model.engine import Results
from workbench.model.ladder import DATA_WARN, STABLE_FLOOR, Recommendation
from workbench.model.scenario import Option, Scenario

HIDDEN_TCO_MULTIPLE = 5  # people + data + eval under this many times the training compute is suspicious
SPIKY_PEAK = 4  # peak/average above this leaves always-on GPUs idle most of the day
IDLE_LOAD = 0.2  # always-on GPUs busier than this on average are well used
FAST_PRICE_DROP = -0.5  # API prices falling this much a year or more obsolete a build

NO_TRAINING = "no fine-tuned or distilled option"


@dataclass
class RiskResult:
    id: str
    title: str
    flagged: bool
    mitigated: bool
    why: str
    note: str
    reasoning: str

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "flagged": self.flagged,
            "mitigated": self.mitigated,
            "why": self.why,
            "note": self.note,
            "reasoning": self.reasoning,
        }


@dataclass
class RiskContext:
    """What the rules read: the scenario, the engine's Results, the recommendation (if any), and the
    option lists several rules share."""

    s: Scenario
    r: Results
    rec: Recommendation | None

    @property
    def cur(self) -> str:
        return self.s.currency

    @cached_property
    def adapt(self) -> list[Option]:
        """Options that train a model (fine-tune or distill)."""
        return [o for o in self.s.options if o.adapts]

    @cached_property
    def api(self) -> list[Option]:
        return [o for o in self.s.options if o.is_api]

    @cached_property
    def always_on(self) -> list[Option]:
        return [o for o in self.s.options if o.is_self_hosted and o.hosting == "always_on"]

    def series(self, o: Option, column: str) -> list | None:
        """One monthly column of the engine's frame for an option (None if the engine has no such option)."""
        res = self.r.option(o.name)
        return self.r.series(res.index, column) if res is not None else None


# A rule says whether its risk is flagged and why, in the scenario's numbers.
RiskRule = Callable[[RiskContext], tuple[bool, str]]
RULES: dict[str, RiskRule] = {}  # catalog risk id -> its rule


def risk(risk_id: str) -> Callable[[RiskRule], RiskRule]:
    """Register the rule of a catalog risk (catalog.RISKS holds its title, reasoning and rule in words)."""
    if risk_id not in RISK_IDS:
        raise ValueError(f"no risk {risk_id!r} in the catalog")

    def register(rule: RiskRule) -> RiskRule:
        RULES[risk_id] = rule
        return rule

    return register


def evaluate(s: Scenario, r: Results, rec: Recommendation | None) -> list[RiskResult]:
    """Every catalog risk, in catalog order, with its flag, the user's mitigation state and the reason."""
    c = RiskContext(s, r, rec)
    out = []
    for info in RISKS:
        flagged, why = RULES[info.id](c)
        state = s.risk_state(info.id)
        out.append(
            RiskResult(
                id=info.id,
                title=info.title,
                flagged=flagged,
                mitigated=state.mitigated if state else False,
                why=why,
                note=state.note if state else "",
                reasoning=info.reasoning,
            )
        )
    return out


def _names(options: Iterable[Option]) -> str:
    names = [repr(o.name) for o in options]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


@risk("distribution-collapse")
def distribution_collapse(c: RiskContext) -> tuple[bool, str]:
    if not c.adapt:
        return False, NO_TRAINING
    return True, f"{_names(c.adapt)} {'is' if len(c.adapt) == 1 else 'are'} trained on a narrow distribution"


@risk("insufficient-data")
def insufficient_data(c: RiskContext) -> tuple[bool, str]:
    examples = c.s.training.examples
    if not c.adapt:
        return False, NO_TRAINING
    if examples < DATA_WARN:
        return True, f"{fmt.whole(examples)} examples: under the {fmt.whole(DATA_WARN)} floor"
    return False, f"{fmt.whole(examples)} examples: at or above the {fmt.whole(DATA_WARN)} floor"


@risk("model-drift")
def model_drift(c: RiskContext) -> tuple[bool, str]:
    every = c.s.training.retrain_every_months
    if not c.adapt:
        return False, NO_TRAINING
    if every == 0:
        return True, "retrain_every_months = 0: the trained model is never refreshed"
    return False, f"retraining every {every} months"


@risk("no-eval-harness")
def no_eval_harness(c: RiskContext) -> tuple[bool, str]:
    budget = c.s.overheads.eval_setup
    if not c.adapt:
        return False, NO_TRAINING
    if budget == 0:
        return True, "overheads.eval_setup = 0: nothing is budgeted to evaluate a retrained model"
    return False, f"{fmt.money(budget, c.cur)} budgeted for evaluation"


@risk("no-ml-talent")
def no_ml_talent(c: RiskContext) -> tuple[bool, str]:
    unstaffed = [o for o in c.s.options if (o.is_self_hosted or o.fine_tune) and o.ops_fte == 0]
    if unstaffed:
        return True, f"{_names(unstaffed)} self-host or fine-tune with ops_fte = 0"
    return False, "every self-hosted or fine-tuned option has engineers budgeted"


@risk("hidden-tco")
def hidden_tco(c: RiskContext) -> tuple[bool, str]:
    """People, data and evaluation over the horizon against the training compute (development runs and
    the retrains the engine bills)."""
    t = c.s.training
    hidden = []
    for o in c.adapt:
        drift = "fa" if o.by_provider else "fg"  # a provider's training price moves with API prices
        people, run, data, fg, retrain = (
            c.series(o, col) for col in ("people", "training_run", "data", drift, "retrain")
        )
        if people is None or run is None or data is None or fg is None or retrain is None:
            continue
        due = [f for f, cost in zip(fg, retrain, strict=True) if cost > 0]  # price factors of retrain months
        compute = t.runs * run[0] + run[0] * sum(due)
        data_total = data[0] * (1 + len(due) * t.relabel_share)
        surrounding = sum(people) + data_total + c.s.overheads.eval_setup
        if compute > 0 and surrounding < HIDDEN_TCO_MULTIPLE * compute:
            hidden.append(
                f"{o.name!r}: people + data + eval {fmt.money(surrounding, c.cur)} is "
                f"{surrounding / compute:.1f}x its {fmt.money(compute, c.cur)} training compute, "
                f"under {HIDDEN_TCO_MULTIPLE}x"
            )
    if hidden:
        return True, "; ".join(hidden)
    if c.adapt:
        return (
            False,
            f"people, data and evaluation are budgeted at {HIDDEN_TCO_MULTIPLE}x training compute or more",
        )
    return False, NO_TRAINING


@risk("moving-target")
def moving_target(c: RiskContext) -> tuple[bool, str]:
    stable = c.s.requirements.requirements_stable_months
    need = max(STABLE_FLOOR, c.s.training.retrain_every_months)
    if stable < need:
        return True, f"requirements stay stable {stable:g} months, under {need}"
    return False, f"requirements stay stable {stable:g} months (at least {need})"


@risk("idle-capacity")
def idle_capacity(c: RiskContext) -> tuple[bool, str]:
    """Always-on GPUs under spiky traffic, or under IDLE_LOAD on average at the horizon (engine's `load`)."""
    peak = c.s.workload.peak_to_average
    idle = []
    for o in c.always_on:
        gpus, load = c.series(o, "gpus"), c.series(o, "load")
        if gpus is None or load is None:
            continue
        if peak > SPIKY_PEAK:
            idle.append(f"peak is {peak:g}x the average (over {SPIKY_PEAK})")
        elif load[-1] < IDLE_LOAD:
            idle.append(
                f"{o.name!r} uses {fmt.pct(load[-1], 1)} of its {gpus[-1]:g} GPU(s) at month "
                f"{c.s.horizon_months}"
            )
    if idle:
        return True, "; ".join(dict.fromkeys(idle))
    return False, "GPUs are well used at the horizon" if c.always_on else "no always-on self-hosted option"


@risk("data-leaves-network")
def data_leaves_network(c: RiskContext) -> tuple[bool, str]:
    on_prem = c.s.requirements.data_must_stay_on_prem
    if on_prem and c.api:
        return True, f"data must stay on premises but {_names(c.api)} call an API"
    return False, "no API option" if on_prem else "data may leave the network"


@risk("frontier-obsolescence")
def frontier_obsolescence(c: RiskContext) -> tuple[bool, str]:
    drop = c.s.market.api_price_change_per_year
    rec = c.rec
    rec_opt = next((o for o in c.s.options if rec is not None and o.name == rec.option), None)
    if drop <= FAST_PRICE_DROP and rec_opt is not None and not rec_opt.is_api:
        return (
            True,
            f"API prices change {fmt.pct(drop)} a year and the recommendation {rec_opt.name!r} is not an API",
        )
    return False, f"API prices change {fmt.pct(drop)} a year"


@risk("vendor-lock-in")
def vendor_lock_in(c: RiskContext) -> tuple[bool, str]:
    if c.s.options and len(c.api) == len(c.s.options):
        return True, f"all {len(c.api)} options call an outside API"
    return False, "a self-hosted option exists" if c.s.options else "no options"


@risk("no-staged-rollout")
def no_staged_rollout(c: RiskContext) -> tuple[bool, str]:
    return False, "a manual item: ship to 5% of traffic first and keep a fallback API"
