"""Every input column the cost formulas read, in one table: where its value comes from, how it reads.

The engine flattens a scenario into one row per option with each of these columns (`engine.inputs`);
sensitivity and Monte Carlo vary the columns a scenario path feeds (workbench.model.columns); explain
lists each input with its label and the path where it is edited. All of that is generated from `INPUTS`,
so a new input is one row here and a new `Col` in a formula.

Where a value comes from (`Input.source`):

    scenario      a field of a scenario table, `field` is its path: workload.requests_per_day
    option        a field of the option: review_rate
    flag          a yes/no property of the option (Option.is_api); `edited` says which fields set it
    api_model     a field of the option's API model row (API options only, else 0)
    teacher       a field of the option's teacher row (distilling options only, else 0)
    gpu           a field of the option's GPU row (self-hosted options only, else 0)
    training_gpu  a field of the training GPU row (every option; 0 without one)
    pretraining_gpu  a field of the [pretraining] GPU row (every option; 0 without one)
    fallback_option  a field of the option's fallback option (docs/model.md 6.1; 0 without one)
    fallback_model   a field of the fallback option's API model row (0 without one)
    baseline      whether the option is the scenario's baseline

One input is a list, not a number: `rollout`, the option's rollout shares (kind "list"); the engine holds it
as one row of a 2-D array, padded with NaN, and picks the month's entry from it.

Only data here, below the schema, which reads this table for its own checks; the values are read from a
scenario by `scenario.input_values`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # formula imports numpy; the schema reads this table without it
    from workbench.model.formula import Meta

Source = Literal[
    "scenario",
    "option",
    "flag",
    "api_model",
    "teacher",
    "gpu",
    "training_gpu",
    "pretraining_gpu",
    "fallback_option",
    "fallback_model",
    "baseline",
]


@dataclass(frozen=True)
class Input:
    """One input column of the formulas."""

    col: str  # the column the formula trees read
    source: Source
    field: str  # a scenario path (source "scenario"), else the field or property of the row it reads
    label: str  # how it reads inside a formula ("input tokens")
    kind: str = "number"  # money | price | share | count | number | bool | list (formula.Meta)
    unit: str = ""
    path_label: str = ""  # how its scenario path reads on its own (sensitivity), when not `label`
    edited: str = ""  # flags: the option field(s) that set it, for explanations

    @property
    def meta(self) -> Meta:
        from workbench.model.formula import Meta

        return Meta(self.label, self.kind, self.unit)


S: Source = "scenario"
OPT: Source = "option"
# In the order of the engine's input frame.
INPUTS: tuple[Input, ...] = (
    Input(
        "R0", S, "workload.requests_per_day", "requests/day in month 1", "count", "req/day", "requests/day"
    ),
    Input("g", S, "workload.growth_per_month", "growth/month", "share"),
    Input("D", S, "workload.days_per_month", "days/month", "number", "days"),
    Input("P", S, "workload.peak_to_average", "peak/average", path_label="peak/average traffic"),
    Input("Tin", S, "workload.input_tokens", "input tokens", path_label="input tokens/request"),
    Input("Tout", S, "workload.output_tokens", "output tokens", path_label="output tokens/request"),
    Input("cshare", S, "workload.cacheable_share", "cacheable share", "share"),
    Input("api_chg", S, "market.api_price_change_per_year", "API price change/year", "share"),
    Input("gpu_chg", S, "market.gpu_price_change_per_year", "GPU price change/year", "share"),
    Input("eng", S, "overheads.engineer_annual_cost", "engineer cost/year", "money"),
    Input("rev_cost", S, "overheads.cost_per_review", "cost per review", "price"),
    Input("lab_cost", S, "overheads.labeling_cost_per_example", "labeling cost/example", "price"),
    Input("lab_qa", S, "overheads.labeling_qa_overhead", "labeling QA overhead", "share"),
    Input("eval_setup", S, "overheads.eval_setup", "eval setup", "money", path_label="eval harness setup"),
    Input("t_gpus", S, "training.gpus", "training GPUs", path_label="training GPUs/run"),
    Input("t_hours", S, "training.hours_per_run", "hours/run", "number", "h", "training hours/run"),
    Input("t_runs", S, "training.runs", "training runs"),
    Input("t_examples", S, "training.examples", "training examples"),
    Input(
        "t_already", S, "training.already_labeled", "already labeled", path_label="examples already labeled"
    ),
    Input("t_every", S, "training.retrain_every_months", "retrain every (months)"),
    Input("t_relabel", S, "training.relabel_share", "relabel share", "share"),
    Input("rag_ctx", S, "rag.context_tokens", "RAG context tokens"),
    Input("rag_cpq", S, "rag.cost_per_query", "retrieval cost/query", "price"),
    Input("rag_fixed", S, "rag.fixed_monthly", "retrieval fixed/month", "money"),
    Input("t_hourly", "training_gpu", "hourly", "training GPU price/hour", "price"),
    Input("is_api", "flag", "is_api", "API option", "bool", edited="serve"),
    Input("p_in", "api_model", "input", "input price/1M", "price", path_label="input price"),
    Input("p_out", "api_model", "output", "output price/1M", "price", path_label="output price"),
    Input("p_cached", "api_model", "cached_input", "cached price/1M", "price", path_label="cached price"),
    Input("hourly", "gpu", "hourly", "GPU price/hour", "price", path_label="price/GPU-hour"),
    Input("caching", OPT, "prompt_caching", "prompt caching", "bool"),
    Input("rag", OPT, "rag", "RAG", "bool"),
    Input("adapt", "flag", "adapts", "fine-tune or distill", "bool", edited="fine_tune / distill"),
    Input("distill", OPT, "distill", "distill", "bool"),
    Input("teach_in", "teacher", "input", "teacher input price/1M", "price"),
    Input("teach_out", "teacher", "output", "teacher output price/1M", "price"),
    Input("always_on", "flag", "always_on", "always on", "bool", edited="hosting"),
    Input("is_baseline", "baseline", "baseline", "baseline", "bool"),
    Input("prompt_red", OPT, "prompt_reduction", "prompt reduction", "share"),
    Input("output_red", OPT, "output_reduction", "output reduction", "share"),
    Input("review_rate", OPT, "review_rate", "review rate", "share"),
    Input("ops_fte", OPT, "ops_fte", "ops FTE"),
    Input("fixed_monthly", OPT, "fixed_monthly", "fixed/month", "money"),
    Input("setup_cost", OPT, "setup_cost", "setup cost", "money"),
    Input("tps", OPT, "tokens_per_second_per_gpu", "tokens/s per GPU"),
    Input("rps", OPT, "requests_per_second_per_gpu", "requests/s per GPU"),
    Input("min_gpus", OPT, "min_gpus", "min GPUs"),
    Input("min_hours", OPT, "min_gpu_hours_per_month", "min GPU-hours/month"),
    Input("util", OPT, "target_utilization", "target utilization", "share"),
    # Version 2 (docs/model.md section 6): going live, rolling out, falling back.
    Input("go_live", OPT, "go_live_month", "go-live month", "number"),
    Input("rollout", OPT, "rollout", "rollout shares", "list"),
    Input("fb_share", OPT, "fallback_share", "fallback share", "share"),
    Input("fb_p_in", "fallback_model", "input", "fallback input price/1M", "price"),
    Input("fb_p_out", "fallback_model", "output", "fallback output price/1M", "price"),
    Input("fb_p_cached", "fallback_model", "cached_input", "fallback cached price/1M", "price"),
    Input("fb_caching", "fallback_option", "prompt_caching", "fallback caches", "bool"),
    Input("fb_rag", "fallback_option", "rag", "fallback uses RAG", "bool"),
    Input("fb_prompt_red", "fallback_option", "prompt_reduction", "fallback prompt reduction", "share"),
    Input("fb_output_red", "fallback_option", "output_reduction", "fallback output reduction", "share"),
    Input("fb_review_rate", "fallback_option", "review_rate", "fallback review rate", "share"),
    # Fine-tuning bought from a provider (6.2).
    Input("provider", "flag", "by_provider", "trained by the provider", "bool", edited="train_on"),
    Input("p_train_mtok", "api_model", "training_per_mtok", "training price/1M", "price"),
    Input("p_train_hour", "api_model", "training_per_hour", "training price/hour", "price"),
    Input("t_epochs", S, "training.epochs", "epochs", path_label="training epochs"),
    Input("t_tok_ex", S, "training.tokens_per_example", "tokens/example", path_label="tokens per example"),
    # Continued pre-training and training from scratch (6.3).
    Input("pretrains", "flag", "pretrains", "pre-trained", "bool", edited="pretrain"),
    Input("pre_tokens", OPT, "pretrain_tokens", "pre-training tokens"),
    Input("pt_params", S, "pretraining.params", "parameters", path_label="pre-trained parameters"),
    Input("pt_mfu", S, "pretraining.mfu", "MFU", "share", path_label="pre-training MFU"),
    Input("pt_attempts", S, "pretraining.attempts", "attempts", path_label="pre-training attempts"),
    Input("pt_gpus", S, "pretraining.gpus", "pre-training GPUs", "number", "GPUs"),
    Input("pt_hourly", "pretraining_gpu", "hourly", "pre-training GPU price/hour", "price"),
    Input("pt_tflops", "pretraining_gpu", "bf16_tflops", "BF16 peak TFLOPS", "number", "TFLOPS"),
)
BY_COL: dict[str, Input] = {i.col: i for i in INPUTS}
# The list table each row source reads from, and the inputs the training GPU row feeds.
ROW_TABLES: dict[Source, str] = {
    "api_model": "api_models",
    "teacher": "api_models",
    "gpu": "gpus",
    "training_gpu": "gpus",
    "pretraining_gpu": "gpus",
    "fallback_model": "api_models",
}
FROM_TRAINING_GPU: tuple[Input, ...] = tuple(i for i in INPUTS if i.source == "training_gpu")
# Inputs that are yes/no (bool columns of the frame); lists are 2-D float64; every other input is float64.
BOOL_COLS = frozenset(i.col for i in INPUTS if i.kind == "bool")
LIST_COLS = frozenset(i.col for i in INPUTS if i.kind == "list")
# Every input column read from one scenario field (the same on every row): column -> path.
SCENARIO_COLUMNS: dict[str, str] = {i.col: i.field for i in INPUTS if i.source == "scenario"}
# Every number read from a field of the option itself: column -> field.
OPTION_COLUMNS: dict[str, str] = {
    i.col: i.field for i in INPUTS if i.source == "option" and i.kind not in ("bool", "list")
}
# The fields of an API model row and a GPU row that the formulas read (prices).
API_FIELDS: tuple[str, ...] = tuple(i.field for i in INPUTS if i.source == "api_model")
GPU_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(i.field for i in INPUTS if i.source in ("gpu", "training_gpu", "pretraining_gpu"))
)


def path_label(table: str, field: str) -> str | None:
    """How a scenario path reads on its own: 'input price' for api_models[X].input; None if no input
    column reads that field."""
    sources = {"api_models": ("api_model",), "gpus": ("gpu",), "options": ("option",)}.get(table)
    for i in INPUTS:
        if sources is None and i.source == "scenario" and i.field == f"{table}.{field}":
            return i.path_label or i.label
        if (
            sources is not None
            and i.source in sources
            and i.field == field
            and i.kind not in ("bool", "list")
        ):
            return i.path_label or i.label
    return None
