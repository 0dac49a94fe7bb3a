"""Fixed catalogs: the risk checklist (docs/model.md section 5) and the ladder's steps (section 4).

Plain data, so the schema can check risk ids without importing the rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RiskInfo:
    id: str
    title: str
    reasoning: str  # the source's reasoning in one line, in our words
    rule: str  # when the rule flags it, in words


RISKS: tuple[RiskInfo, ...] = (
    RiskInfo(
        "distribution-collapse",
        "Collapse outside the training distribution",
        "Tuned models are strong inside their training data and confidently wrong outside it "
        "(the guides cite an airline bot inventing a refund policy).",
        "any fine-tuned or distilled option",
    ),
    RiskInfo(
        "insufficient-data",
        "Too few training examples",
        "Under 500 examples rarely pays off; 1,000 is the usual floor and 5,000-10,000 is production grade.",
        "a fine-tuned or distilled option with fewer than 1,000 training examples",
    ),
    RiskInfo(
        "model-drift",
        "No retraining planned",
        "The business changes and the tuned model goes stale; a retraining pipeline is part of the cost.",
        "a fine-tuned or distilled option and retrain_every_months = 0",
    ),
    RiskInfo(
        "no-eval-harness",
        "No evaluation harness budgeted",
        "Without automated evaluation nobody can tell whether a retrained model regressed.",
        "a fine-tuned or distilled option and overheads.eval_setup = 0",
    ),
    RiskInfo(
        "no-ml-talent",
        "Nobody budgeted to run it",
        "Self-hosting and fine-tuning need ML engineers (the guides quote $200k-$400k salaries).",
        "a self-hosted or fine-tuned option with ops_fte = 0",
    ),
    RiskInfo(
        "hidden-tco",
        "Total cost of ownership underestimated",
        "Teams find the cheap fine-tune costs 5-10x its training bill in data, evaluation and people.",
        "a fine-tuned or distilled option whose people + data + eval costs are under 5x its training compute",
    ),
    RiskInfo(
        "moving-target",
        "Requirements change faster than a model can follow",
        "Prompts adapt in minutes; a retraining cycle takes weeks. Do not fine-tune a moving target.",
        "requirements_stable_months < max(6, retrain_every_months)",
    ),
    RiskInfo(
        "idle-capacity",
        "Paying for idle GPUs",
        "Always-on GPUs cost the same at 3 a.m.; spiky or thin traffic leaves most of them idle.",
        "always-on self-hosting with peak_to_average > 4 or utilization at the horizon under 20%",
    ),
    RiskInfo(
        "data-leaves-network",
        "Data leaves the network",
        "Requests to an API carry the data to a third party, which the requirements forbid.",
        "data_must_stay_on_prem and any API option",
    ),
    RiskInfo(
        "frontier-obsolescence",
        "Next year's frontier model makes the build obsolete",
        "API prices fall fast and frontier models improve monthly; a tuned model does not inherit that.",
        "API prices fall 50% a year or more and a non-API option is recommended",
    ),
    RiskInfo(
        "vendor-lock-in",
        "Locked in to one vendor",
        "Every path depends on an outside API; its prices, limits and deprecations are not yours to set.",
        "every option is an API option",
    ),
    RiskInfo(
        "no-staged-rollout",
        "No staged rollout or fallback",
        "Ship a new model to 5% of traffic first and keep a fallback API ready to switch back.",
        "never flagged automatically: a manual checklist item",
    ),
)

RISK_IDS: tuple[str, ...] = tuple(r.id for r in RISKS)

STEP_TITLES: dict[int, str] = {
    1: "API + prompting",
    2: "Add RAG",
    3: "Prompt caching",
    4: "Fine-tune",
    5: "Distill",
    6: "Self-host",
}
RUNG_TITLES: dict[int, str] = {  # the two rungs above the six steps, numbered on from them (MODEL.md 6.3)
    7: "Continued pre-training (customization level 4)",
    8: "Training from scratch (customization level 5)",
}
