"""The risk checklist (MODEL.md section 5): each catalog rule judged on a scenario and its results."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.model import fmt
from workbench.model.catalog import RISKS
from workbench.model.engine import Results
from workbench.model.ladder import Recommendation
from workbench.model.scenario import Scenario


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


def _names(options) -> str:
    names = [repr(o.name) for o in options]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _rules(s: Scenario, r: Results, rec: Recommendation | None) -> dict[str, tuple[bool, str]]:
    """id -> (flagged, why) with the scenario's numbers."""
    cur = s.currency
    t = s.training
    req = s.requirements
    adapt = [o for o in s.options if o.adapts]
    out: dict[str, tuple[bool, str]] = {}

    out["distribution-collapse"] = (
        (True, f"{_names(adapt)} {'is' if len(adapt) == 1 else 'are'} trained on a narrow distribution")
        if adapt
        else (False, "no fine-tuned or distilled option")
    )
    if not adapt:
        out["insufficient-data"] = (False, "no fine-tuned or distilled option")
    elif t.examples < 1000:
        out["insufficient-data"] = (True, f"{fmt.whole(t.examples)} examples: under the 1,000 floor")
    else:
        out["insufficient-data"] = (False, f"{fmt.whole(t.examples)} examples: at or above the 1,000 floor")
    if not adapt:
        out["model-drift"] = (False, "no fine-tuned or distilled option")
    elif t.retrain_every_months == 0:
        out["model-drift"] = (True, "retrain_every_months = 0: the trained model is never refreshed")
    else:
        out["model-drift"] = (False, f"retraining every {t.retrain_every_months} months")
    if not adapt:
        out["no-eval-harness"] = (False, "no fine-tuned or distilled option")
    elif s.overheads.eval_setup == 0:
        out["no-eval-harness"] = (
            True,
            "overheads.eval_setup = 0: nothing is budgeted to evaluate a retrained model",
        )
    else:
        out["no-eval-harness"] = (False, f"{fmt.money(s.overheads.eval_setup, cur)} budgeted for evaluation")

    unstaffed = [o for o in s.options if (o.serve == "self_hosted" or o.fine_tune) and o.ops_fte == 0]
    out["no-ml-talent"] = (
        (True, f"{_names(unstaffed)} self-host or fine-tune with ops_fte = 0")
        if unstaffed
        else (False, "every self-hosted or fine-tuned option has engineers budgeted")
    )

    hidden = []
    for o in adapt:
        res = r.option(o.name)
        if res is None:
            continue
        people = sum(r.series(res.index, "people"))
        run = r.series(res.index, "training_run")[0]
        data = r.series(res.index, "data")[0]
        k = t.retrain_every_months
        due = [
            fg
            for m, fg in enumerate(r.series(res.index, "fg"), start=1)
            if k > 0 and m > 1 and (m - 1) % k == 0
        ]
        compute = t.runs * run + run * sum(due)
        data_total = data * (1 + len(due) * t.relabel_share)
        surrounding = people + data_total + s.overheads.eval_setup
        if compute > 0 and surrounding < 5 * compute:
            hidden.append(
                f"{o.name!r}: people + data + eval {fmt.money(surrounding, cur)} is "
                f"{surrounding / compute:.1f}x its {fmt.money(compute, cur)} training compute, under 5x"
            )
    if hidden:
        out["hidden-tco"] = (True, "; ".join(hidden))
    elif adapt:
        out["hidden-tco"] = (False, "people, data and evaluation are budgeted at 5x training compute or more")
    else:
        out["hidden-tco"] = (False, "no fine-tuned or distilled option")

    need = max(6, t.retrain_every_months)
    out["moving-target"] = (
        (True, f"requirements stay stable {req.requirements_stable_months:g} months, under {need}")
        if req.requirements_stable_months < need
        else (False, f"requirements stay stable {req.requirements_stable_months:g} months (at least {need})")
    )

    idle = []
    for o in s.options:
        if o.serve != "self_hosted" or o.hosting != "always_on":
            continue
        res = r.option(o.name)
        if res is None:
            continue
        if s.workload.peak_to_average > 4:
            idle.append(f"peak is {s.workload.peak_to_average:g}x the average (over 4)")
            continue
        gpus = r.series(res.index, "gpus")[-1]
        rpd = r.series(res.index, "rpd")[-1]
        tout = s.workload.output_tokens * (1 - o.output_reduction)
        thr = o.requests_per_second_per_gpu or (
            o.tokens_per_second_per_gpu / tout if tout > 0 else float("inf")
        )
        util = (rpd / 86400) / (gpus * thr) if gpus and thr not in (0, float("inf")) else 0.0
        if util < 0.2:
            idle.append(
                f"{o.name!r} uses {fmt.pct(util, 1)} of its {gpus:g} GPU(s) at month {s.horizon_months}"
            )
    always_on = any(o.serve == "self_hosted" and o.hosting == "always_on" for o in s.options)
    out["idle-capacity"] = (
        (True, "; ".join(dict.fromkeys(idle)))
        if idle
        else (False, "GPUs are well used at the horizon" if always_on else "no always-on self-hosted option")
    )

    api = [o for o in s.options if o.serve == "api"]
    if req.data_must_stay_on_prem and api:
        out["data-leaves-network"] = (True, f"data must stay on premises but {_names(api)} call an API")
    else:
        out["data-leaves-network"] = (
            False,
            "no API option" if req.data_must_stay_on_prem else "data may leave the network",
        )

    drop = s.market.api_price_change_per_year
    rec_opt = next((o for o in s.options if rec is not None and o.name == rec.option), None)
    if drop <= -0.5 and rec_opt is not None and rec_opt.serve != "api":
        out["frontier-obsolescence"] = (
            True,
            f"API prices change {fmt.pct(drop)} a year and the recommendation {rec_opt.name!r} is not an API",
        )
    else:
        out["frontier-obsolescence"] = (False, f"API prices change {fmt.pct(drop)} a year")

    out["vendor-lock-in"] = (
        (True, f"all {len(api)} options call an outside API")
        if s.options and len(api) == len(s.options)
        else (False, "a self-hosted option exists" if s.options else "no options")
    )
    out["no-staged-rollout"] = (False, "a manual item: ship to 5% of traffic first and keep a fallback API")
    return out


def evaluate(s: Scenario, r: Results, rec: Recommendation | None) -> list[RiskResult]:
    """Every catalog risk, in catalog order, with its flag, the user's mitigation state and the reason."""
    judged = _rules(s, r, rec)
    out = []
    for info in RISKS:
        flagged, why = judged[info.id]
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
