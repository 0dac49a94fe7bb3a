"""The scenario: pydantic models of the TOML file (docs/model.md section 1).

Every field carries its default, bounds, a one-line description and a unit. The grids of the TUI, the
validation messages and the README's format table are generated from this metadata, so a field is
described here once and nowhere else.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from workbench.model import fmt, inputs
from workbench.model.catalog import RISK_IDS

if TYPE_CHECKING:
    import numpy as np

# numpy, and the capacity and pre-training trees that evaluate over it, are imported by the checks that
# run them (below_capacity_floor, _pretraining_too_long), not with the schema: a command that reads the
# schema without validating a scenario (config) starts without numpy.

SCHEMA_VERSION = 2
"""The highest `schema_version` this version of the workbench reads (docs/model.md section 6)."""
FIRST_VERSION = 1
"""The version of a file that does not say: version 1, whose keys every later version keeps."""


def _integral(value: Any) -> Any:
    """Accept 24.0 where a whole number is expected; TOML writers sometimes emit floats."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Int = Annotated[int, BeforeValidator(_integral)]
Share = Annotated[float, Field(ge=0, le=1)]


def _plain(value: str) -> str:
    """A name or label holds no control character (fmt.is_control): it is shown as it is, everywhere."""
    bad = fmt.first_control(value)
    if bad is not None:
        raise PydanticCustomError(
            "control_character", "contains a control character ({name})", {"name": fmt.control_name(bad)}
        )
    return value


Label = Annotated[str, AfterValidator(_plain)]
"""A name or label (a row's name, a name that refers to a row, an id, the currency): plain text without
control characters. Every other string of the schema is free text, kept as written and shown through
fmt.shown."""


def is_label(model: type[BaseModel], name: str) -> bool:
    """Whether a field is a Label (else, when a str, free text)."""
    return any(getattr(m, "func", None) is _plain for m in model.model_fields[name].metadata)


def fld(default: Any, description: str, unit: str = "", version: int = 1, **kwargs: Any) -> Any:
    """A field with its one-line description and unit (kept in json_schema_extra for the grids), and the
    schema version that introduced it (a file of an older version may not set it)."""
    extra: dict[str, Any] = {"unit": unit}
    if version > 1:
        extra["version"] = version
    return Field(default, description=description, json_schema_extra=extra, **kwargs)


class Table(BaseModel):
    """Base of every table: strict types, no unknown keys, finite numbers only."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, validate_default=False)

    @model_validator(mode="before")
    @classmethod
    def _unix_newlines(cls, data: Any) -> Any:
        """Text keeps \n line ends: a TOML multi-line string cannot carry \r\n through a save."""
        if isinstance(data, dict) and any(isinstance(v, str) and "\r" in v for v in data.values()):
            return {k: v.replace("\r\n", "\n") if isinstance(v, str) else v for k, v in data.items()}
        return data


class Workload(Table):
    requests_per_day: float = fld(100000.0, "Requests per day in month 1 (R0)", "req/day", ge=0, le=1e10)
    input_tokens: float = fld(1000.0, "Input tokens per request (Tin)", "tokens", ge=0, le=1e7)
    output_tokens: float = fld(500.0, "Output tokens per request (Tout)", "tokens", ge=0, le=1e7)
    cacheable_share: float = fld(
        0.0, "Share of input that is a static prefix (system prompt, policies)", "share", ge=0, le=1
    )
    growth_per_month: float = fld(0.0, "Compound growth of volume per month (g)", "share/month", gt=-1, le=1)
    peak_to_average: float = fld(
        2.0, "Peak traffic over average traffic (P), for capacity sizing", "x", ge=1, le=100
    )
    days_per_month: float = fld(30.0, "Days in a month (D)", "days", ge=1, le=31)
    source: str = fld(
        "",
        "Where these figures came from (a usage-log import); empty = typed by hand",
        "text",
        version=2,
        max_length=500,
    )


class Market(Table):
    api_price_change_per_year: float = fld(
        0.0, "Yearly change of API list prices (-0.5 = they halve each year)", "share/year", gt=-1, le=10
    )
    gpu_price_change_per_year: float = fld(
        0.0, "Yearly change of GPU hourly prices", "share/year", gt=-1, le=10
    )


class Requirements(Table):
    consistency_target: float = fld(
        0.95, "Required share of correct / well-formed outputs", "share", ge=0, le=1
    )
    needs_proprietary_data: bool = fld(
        False, "The task needs the organisation's own documents or data", "yes/no"
    )
    data_must_stay_on_prem: bool = fld(False, "Data may not leave the organisation's network", "yes/no")
    latency_target_ms: float = fld(
        0.0, "Required response time; 0 = no latency requirement", "ms", ge=0, le=1e7
    )
    requirements_stable_months: float = fld(
        12.0, "How long the task stays unchanged", "months", ge=0, le=1200
    )
    can_commit_to_maintenance: bool = fld(
        True, "The team can commit to monitoring and retraining a model", "yes/no"
    )
    unique_domain_without_public_data: bool = fld(
        False, "A domain with no public training data (the case for continued pre-training)", "yes/no"
    )


class Overheads(Table):
    engineer_annual_cost: float = fld(
        250000.0, "Fully loaded cost of one ML/MLOps engineer per year", "money/year", ge=0, le=1e9
    )
    cost_per_review: float = fld(0.0, "Cost of one human review of an output", "money", ge=0, le=1e6)
    labeling_cost_per_example: float = fld(
        3.0, "Cost of labeling one training example", "money", ge=0, le=1e6
    )
    labeling_qa_overhead: float = fld(
        0.25, "Extra share on top of labeling for quality checks", "share", ge=0, le=10
    )
    eval_setup: float = fld(
        0.0, "One-time cost of an evaluation harness (fine-tune / distill options)", "money", ge=0, le=1e10
    )


class Training(Table):
    gpu: Label = fld("", "GPU row used for training runs (empty = no training compute)", "name")
    gpus: Int = fld(1, "GPUs per training run", "GPUs", ge=1, le=100000)
    hours_per_run: float = fld(6.0, "Hours one training run takes", "hours", ge=0, le=1e6)
    runs: Int = fld(10, "Training runs during development (iterations)", "runs", ge=0, le=100000)
    examples: Int = fld(5000, "Training examples prepared", "examples", ge=0, le=10**10)
    already_labeled: Int = fld(
        0, "Examples that exist already and cost nothing to label", "examples", ge=0, le=10**10
    )
    retrain_every_months: Int = fld(0, "Retrain every this many months; 0 = never", "months", ge=0, le=1200)
    relabel_share: float = fld(
        0.2, "Share of the labeling (or teacher) bill paid again at each retrain", "share", ge=0, le=1
    )
    epochs: float = fld(
        3.0, "Passes over the examples in one provider training run", "epochs", version=2, ge=0, le=1000
    )
    tokens_per_example: float = fld(
        0.0,
        "Tokens of one training example; 0 = the workload's input + output tokens",
        "tokens",
        version=2,
        ge=0,
        le=1e8,
    )


class Rag(Table):
    context_tokens: float = fld(
        1500.0, "Retrieved tokens added to each request's input", "tokens", ge=0, le=1e7
    )
    cost_per_query: float = fld(
        0.0, "Retrieval cost per request (embedding, vector search)", "money", ge=0, le=1e6
    )
    fixed_monthly: float = fld(0.0, "Vector store and index hosting per month", "money/month", ge=0, le=1e10)


class Pretraining(Table):
    gpu: Label = fld(
        "",
        "GPU row pre-training runs on (needs bf16_tflops; required when an option pre-trains)",
        "name",
        version=2,
    )
    params: float = fld(
        8e9, "Parameters of the model pre-trained (N)", "parameters", version=2, gt=0, le=1e14
    )
    mfu: float = fld(
        0.4, "Model FLOPs utilization: share of the BF16 peak reached", "share", version=2, gt=0, le=1
    )
    attempts: float = fld(
        1.5, "Multiplier for failed runs, ablations and restarts", "x", version=2, ge=1, le=100
    )
    gpus: Int = fld(
        64, "GPUs used at once (for the wall-clock figure only)", "GPUs", version=2, ge=1, le=10**7
    )


class ApiModel(Table):
    name: Label = fld(..., "Model name, as options refer to it", "name", min_length=1, max_length=200)
    input: float = fld(0.0, "Price of 1M input tokens", "money/1M tok", ge=0, le=1e7)
    output: float = fld(0.0, "Price of 1M output tokens", "money/1M tok", ge=0, le=1e7)
    cached_input: float | None = fld(
        None, "Price of 1M cached input tokens; absent = same as input", "money/1M tok", ge=0, le=1e7
    )
    training_per_mtok: float = fld(
        0.0,
        "Provider fine-tuning: price of 1M training tokens (0 = not sold per token)",
        "money/1M tok",
        version=2,
        ge=0,
        le=1e7,
    )
    training_per_hour: float = fld(
        0.0,
        "Provider fine-tuning: price of one training hour (0 = not sold per hour)",
        "money/hour",
        version=2,
        ge=0,
        le=1e7,
    )
    source: str = fld("", "Where the price comes from", "text", max_length=500)

    @property
    def cached_price(self) -> float:
        return self.input if self.cached_input is None else self.cached_input


class Gpu(Table):
    name: Label = fld(..., "GPU name, as options refer to it", "name", min_length=1, max_length=200)
    hourly: float = fld(0.0, "Price of one GPU-hour", "money/hour", ge=0, le=1e7)
    bf16_tflops: float = fld(
        0.0, "Dense BF16 peak of one GPU (needed to pre-train on it)", "TFLOPS", version=2, ge=0, le=1e6
    )
    source: str = fld("", "Where the price comes from", "text", max_length=500)


# How an option is served: the one place the two modes are spelled (compare with Option.is_api / is_self_hosted).
Serve = Literal["api", "self_hosted"]


class Option(Table):
    name: Label = fld(..., "Name of the path compared (unique)", "name", min_length=1, max_length=200)
    serve: Serve = fld("api", "How the model is served: api or self_hosted", "choice")
    model: Label = fld("", "serve = api: the API model row", "name")
    gpu: Label = fld("", "serve = self_hosted: the GPU row", "name")
    baseline: bool = fld(False, "The option others are compared with (at most one)", "yes/no")
    prompt_caching: bool = fld(False, "Cache the static prompt prefix", "yes/no")
    rag: bool = fld(False, "Add retrieved context to each request", "yes/no")
    fine_tune: bool = fld(False, "Fine-tune a model on labeled examples", "yes/no")
    distill: bool = fld(False, "Distill: train on examples a teacher model generates", "yes/no")
    teacher: Label = fld("", "distill: the API model row that generates the training data", "name")
    prompt_reduction: float = fld(0.0, "Share of input tokens removed (shorter prompts)", "share", ge=0, le=1)
    output_reduction: float = fld(0.0, "Share of output tokens removed", "share", ge=0, le=1)
    review_rate: float = fld(0.0, "Share of requests a human reviews", "share", ge=0, le=1)
    consistency: float = fld(0.9, "Expected share of correct / well-formed outputs", "share", ge=0, le=1)
    latency_ms: float = fld(0.0, "Typical response time; 0 = unknown", "ms", ge=0, le=1e7)
    ops_fte: float = fld(0.0, "Engineers this option needs", "FTE", ge=0, le=10000)
    fixed_monthly: float = fld(0.0, "Monitoring, eval runs, licences per month", "money/month", ge=0, le=1e10)
    setup_cost: float = fld(0.0, "Other one-time cost (integration, migration)", "money", ge=0, le=1e10)
    tokens_per_second_per_gpu: float = fld(
        0.0, "self_hosted: output tokens per second one GPU sustains", "tok/s", ge=0, le=1e9
    )
    requests_per_second_per_gpu: float = fld(
        0.0, "self_hosted: requests per second one GPU sustains (used if > 0)", "req/s", ge=0, le=1e9
    )
    hosting: Literal["always_on", "on_demand"] = fld(
        "always_on", "self_hosted: always_on or on_demand", "choice"
    )
    min_gpus: Int = fld(1, "always_on: least GPUs kept running (replicas)", "GPUs", ge=0, le=100000)
    min_gpu_hours_per_month: float = fld(
        0.0, "on_demand: least GPU-hours billed per month", "hours/month", ge=0, le=1e8
    )
    target_utilization: float = fld(
        0.7, "self_hosted: share of capacity planned to be used", "share", gt=0, le=1
    )
    throughput_estimated: bool = fld(
        False, "The throughput is an estimate (GPU sizing), not a measurement", "yes/no"
    )
    throughput_source: str = fld(
        "",
        "Where the throughput came from: a measurement, or the GPU sizing that estimated it",
        "text",
        version=2,
        max_length=500,
    )
    go_live_month: Int = fld(1, "First month the option serves traffic", "month", version=2, ge=1, le=120)
    rollout: list[Share] = fld(
        [],
        "Shares of traffic served in the first months live, each 0..1, e.g. 5%, 25%, 50%",
        "shares",
        version=2,
        max_length=120,
    )
    fallback_share: float = fld(
        0.0, "Share of traffic still sent to the fallback once rolled out", "share", version=2, ge=0, le=1
    )
    fallback: Label = fld(
        "", "The API option that serves the rest of the traffic; empty = the baseline", "name", version=2
    )
    train_on: Literal["gpu", "provider"] = fld(
        "gpu",
        "fine_tune / distill: gpu = runs on [training].gpu; provider = billed by the model row",
        "choice",
        version=2,
    )
    pretrain: Literal["none", "continued", "scratch"] = fld(
        "none", "self_hosted: the model is pre-trained: continued or from scratch", "choice", version=2
    )
    pretrain_tokens: float = fld(
        0.0, "Pre-training tokens; 0 = 20 x parameters (scratch only)", "tokens", version=2, ge=0, le=1e16
    )

    @property
    def is_api(self) -> bool:
        """Served by an API provider (billed per token)."""
        return self.serve == "api"

    @property
    def is_self_hosted(self) -> bool:
        """Served on the scenario's own rented GPUs (billed per GPU-hour)."""
        return self.serve == "self_hosted"

    @property
    def always_on(self) -> bool:
        """Self-hosted GPUs kept running around the clock (else billed by the hour used)."""
        return self.hosting == "always_on"

    @property
    def adapts(self) -> bool:
        """Whether the option trains a model (fine-tune or distill) and so pays training and data."""
        return self.fine_tune or self.distill

    @property
    def by_provider(self) -> bool:
        """Its training runs are bought from the API provider (billed by its model row), not run on GPUs."""
        return self.train_on == "provider"

    @property
    def pretrains(self) -> bool:
        """The option's model is pre-trained (continued or from scratch), at a compute price."""
        return self.pretrain != "none"

    @property
    def from_scratch(self) -> bool:
        """Pre-trained from scratch (its token count may default to 20 x parameters)."""
        return self.pretrain == "scratch"

    @property
    def rolls_out(self) -> bool:
        """Whether some month sends part of the traffic elsewhere (a go-live month, a rollout, a
        fallback share): then the rest goes to the fallback option."""
        return self.go_live_month > 1 or bool(self.rollout) or self.fallback_share > 0

    @property
    def keeps_all_traffic(self) -> bool:
        """The four keys of section 6.1 at their defaults: what a baseline or a fallback must be."""
        return not self.rolls_out and not self.fallback


class RiskState(Table):
    id: Label = fld(..., "An id from the risk catalog", "id")
    mitigated: bool = fld(False, "The risk is mitigated", "yes/no")
    note: str = fld("", "How it is mitigated", "text", max_length=2000)


class Range(Table):
    """One [uncertainty] entry: the plausible range of an input, for Monte Carlo and sensitivity."""

    low: float = fld(..., "Lowest plausible value (lognormal: the 5th percentile)", "input's unit")
    high: float = fld(..., "Highest plausible value (lognormal: the 95th percentile)", "input's unit")
    dist: Literal["uniform", "triangular", "lognormal"] = fld(
        "uniform", "Distribution of draws: uniform, triangular or lognormal", "choice"
    )
    mode: float | None = fld(None, "triangular: the most likely value; absent = midway", "input's unit")


def _empty_list() -> list:
    return []


def _empty_dict() -> dict:
    return {}


# The empty tables' factories are Python functions, not `list` and `dict`: pydantic reads each factory's
# signature, and a builtin's is parsed from its text by `tokenize`, whose first use compiles a large
# regular expression (3-6 ms of every start, paid by nothing else on the way to the first frame).


class Scenario(Table):
    schema_version: Int = fld(FIRST_VERSION, "Version of the file format", "", ge=1)
    name: Label = fld("Untitled scenario", "Name of the scenario", "text", max_length=200)
    description: str = fld(
        "", "What the scenario models and where its numbers come from", "text", max_length=5000
    )
    currency: Label = fld("USD", "Currency label for money", "text", min_length=1, max_length=12)
    horizon_months: Int = fld(24, "Months the comparison runs (H)", "months", ge=1, le=120)
    workload: Workload = Field(default_factory=Workload)
    market: Market = Field(default_factory=Market)
    requirements: Requirements = Field(default_factory=Requirements)
    overheads: Overheads = Field(default_factory=Overheads)
    training: Training = Field(default_factory=Training)
    rag: Rag = Field(default_factory=Rag)
    pretraining: Pretraining = Field(default_factory=Pretraining)
    api_models: list[ApiModel] = Field(default_factory=_empty_list, max_length=500)
    gpus: list[Gpu] = Field(default_factory=_empty_list, max_length=500)
    options: list[Option] = Field(default_factory=_empty_list, max_length=100)
    risks: list[RiskState] = Field(default_factory=_empty_list, max_length=100)
    uncertainty: dict[Label, Range] = Field(default_factory=_empty_dict, max_length=200)

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        problems: list[tuple[tuple, str, str]] = []
        models = {m.name for m in self.api_models}
        gpus = {g.name for g in self.gpus}
        names = {
            "api_models": [m.name for m in self.api_models],
            "gpus": [g.name for g in self.gpus],
            "options": [o.name for o in self.options],
        }
        for table, row_names in names.items():
            seen: set[str] = set()
            for i, name in enumerate(row_names):
                if name in seen:
                    problems.append(((table, i, "name"), f'"{name}" is used twice', "unique names"))
                seen.add(name)
        if self.training.gpu and self.training.gpu not in gpus:
            problems.append(_dangling(("training", "gpu"), self.training.gpu, gpus, "[[gpus]]"))
        baselines = [o.name for o in self.options if o.baseline]
        if len(baselines) > 1:
            i = next(i for i, o in enumerate(self.options) if o.baseline and o.name == baselines[1])
            problems.append(
                (
                    ("options", i, "baseline"),
                    f"two baselines ({baselines[0]!r} and {baselines[1]!r})",
                    "at most one",
                )
            )
        short = below_capacity_floor(self)
        for i, o in enumerate(self.options):
            if o.is_api:
                if o.model not in models:
                    problems.append(_dangling(("options", i, "model"), o.model, models, "[[api_models]]"))
            else:
                if o.gpu not in gpus:
                    problems.append(_dangling(("options", i, "gpu"), o.gpu, gpus, "[[gpus]]"))
                if o.requests_per_second_per_gpu <= 0 and o.tokens_per_second_per_gpu <= 0:
                    problems.append(
                        (
                            ("options", i, "tokens_per_second_per_gpu"),
                            "a self-hosted option needs a throughput",
                            "tokens_per_second_per_gpu or requests_per_second_per_gpu > 0",
                        )
                    )
                elif short[i]:  # else GPU counts overflow to infinity
                    from workbench.model.capacity import MIN_CAPACITY

                    key = (
                        "requests_per_second_per_gpu"
                        if o.requests_per_second_per_gpu > 0
                        else "tokens_per_second_per_gpu"
                    )
                    problems.append(
                        (
                            ("options", i, key),
                            "throughput × target_utilization is under one request per GPU in 30 years",
                            f"at least {MIN_CAPACITY:g} requests per second per GPU",
                        )
                    )
            if o.distill and o.teacher not in models:
                problems.append(_dangling(("options", i, "teacher"), o.teacher, models, "[[api_models]]"))
        problems.extend(version_problems(self))
        problems.extend(strategy_problems(self))
        seen_risks: set[str] = set()
        for i, r in enumerate(self.risks):
            if r.id not in RISK_IDS:
                hint = difflib.get_close_matches(r.id, RISK_IDS, n=1)
                expected = f"did you mean {hint[0]!r}?" if hint else "an id from the risk catalog"
                problems.append(((("risks", i, "id")), f"unknown risk {r.id!r}", expected))
            elif r.id in seen_risks:
                problems.append(((("risks", i, "id")), f"risk {r.id!r} is listed twice", "each risk once"))
            seen_risks.add(r.id)
        if self.uncertainty:
            problems.extend(uncertainty_problems(self))
        if problems:
            raise CrossCheckError(problems)
        return self

    # Small conveniences used by the engine, ladder and panes.
    def baseline_index(self) -> int | None:
        for i, o in enumerate(self.options):
            if o.baseline:
                return i
        return 0 if self.options else None

    def api_model(self, name: str) -> ApiModel | None:
        return next((m for m in self.api_models if m.name == name), None)

    def gpu(self, name: str) -> Gpu | None:
        return next((g for g in self.gpus if g.name == name), None)

    def risk_state(self, risk_id: str) -> RiskState | None:
        return next((r for r in self.risks if r.id == risk_id), None)


def _dangling(loc: tuple, value: str, known: set[str], grid: str) -> tuple[tuple, str, str]:
    if not value:
        return loc, "is empty", f"the name of a {grid} row"
    hint = difflib.get_close_matches(value, sorted(known), n=1)
    expected = (
        f"did you mean {hint[0]!r}?"
        if hint
        else f"one of {sorted(known)}"
        if known
        else f"add a {grid} row first"
    )
    return loc, f"{value!r} is not a {grid} row", expected


ROLLOUT_KEYS = ("go_live_month", "rollout", "fallback_share", "fallback")
"""The option keys of section 6.1; a baseline and a fallback keep them at their defaults."""


def version_of_field(model: type[BaseModel], name: str) -> int:
    """The schema version that introduced a field (1 for the keys of section 1)."""
    extra = model.model_fields[name].json_schema_extra
    return int(extra.get("version", 1)) if isinstance(extra, dict) else 1  # type: ignore[arg-type]


def newer_keys(s: Scenario) -> list[tuple[tuple, int]]:
    """Every key set away from its default that needs a later schema version than the file declares:
    (location, version needed). With every such key at its default, a formula is its version-1 formula."""
    out: list[tuple[tuple, int]] = []

    def scan(row: BaseModel, loc: tuple) -> None:
        for name, f in type(row).model_fields.items():
            need = version_of_field(type(row), name)
            if need > s.schema_version and getattr(row, name) != f.default:
                out.append(((*loc, name), need))

    for table in TABLES:
        scan(getattr(s, table), (table,))
    for table in ("api_models", "gpus", "options"):
        for i, row in enumerate(getattr(s, table)):
            scan(row, (table, i))
    return out


def version_problems(s: Scenario) -> list[tuple[tuple, str, str]]:
    return [
        (
            loc,
            f"needs schema_version = {need} (the file says {s.schema_version})",
            f"set schema_version = {need} at the top of the file, or remove the key",
        )
        for loc, need in newer_keys(s)
    ]


def needs_fallback(o: Option, horizon: int) -> bool:
    """Whether some month of the horizon sends part of o's traffic to its fallback (s(o, m) < 1)."""
    if o.go_live_month > 1 or o.fallback_share > 0:
        return True
    return any(x < 1 for x in o.rollout[:horizon])


def strategy_problems(s: Scenario) -> list[tuple[tuple, str, str]]:
    """Cross-checks of section 6: go-live, rollout and fallback; provider training; pre-training."""
    out: list[tuple[tuple, str, str]] = []
    names = [o.name for o in s.options]
    base = s.baseline_index()
    for i, o in enumerate(s.options):
        loc = ("options", i)
        if o.go_live_month > s.horizon_months:
            out.append(
                (
                    (*loc, "go_live_month"),
                    f"month {o.go_live_month} is past the horizon",
                    f"at most horizon_months = {s.horizon_months}",
                )
            )
        if i == base and not o.keeps_all_traffic:
            key = next(k for k in ROLLOUT_KEYS if getattr(o, k) != Option.model_fields[k].default)
            out.append(
                (
                    (*loc, key),
                    "the baseline must serve all its traffic itself",
                    "the default: go_live_month = 1, rollout = [], fallback_share = 0, fallback = ''",
                )
            )
        if o.fallback:
            j = names.index(o.fallback) if o.fallback in names else None
            if j is None:
                out.append(_dangling((*loc, "fallback"), o.fallback, set(names) - {o.name}, "[[options]]"))
            elif j == i:
                out.append(((*loc, "fallback"), "an option cannot be its own fallback", "another API option"))
            elif not s.options[j].is_api:
                out.append(
                    (
                        (*loc, "fallback"),
                        f"{o.fallback!r} is not an API option",
                        "an option with serve = 'api'",
                    )
                )
            elif not s.options[j].keeps_all_traffic:
                out.append(
                    (
                        (*loc, "fallback"),
                        f"{o.fallback!r} itself rolls out or falls back",
                        "an API option that serves all its traffic",
                    )
                )
        elif i != base and base is not None and needs_fallback(o, s.horizon_months):
            b = s.options[base]
            # A baseline that rolls out is reported on its own row: only a non-API baseline is o's problem.
            if not b.is_api:
                key = (
                    "go_live_month"
                    if o.go_live_month > 1
                    else "fallback_share"
                    if o.fallback_share > 0
                    else "rollout"
                )
                out.append(
                    (
                        (*loc, key),
                        f"the rest of the traffic goes to the baseline {b.name!r}, which is not an API option",
                        "name an API option in fallback",
                    )
                )
        if o.by_provider:
            model = s.api_model(o.model) if o.is_api else None
            if not o.is_api:
                out.append(
                    (
                        (*loc, "train_on"),
                        "'provider' training is for API options",
                        "serve = 'api', or train_on = 'gpu'",
                    )
                )
            elif not o.adapts:
                out.append(
                    (
                        (*loc, "train_on"),
                        "the option trains no model",
                        "fine_tune or distill = true, or train_on = 'gpu'",
                    )
                )
            elif model is not None and model.training_per_mtok <= 0 and model.training_per_hour <= 0:
                out.append(
                    (
                        (*loc, "train_on"),
                        f"the model row {o.model!r} has no training price",
                        f"training_per_mtok or training_per_hour > 0 on [[api_models]] {o.model!r}",
                    )
                )
        if o.pretrains:
            if not o.is_self_hosted:
                out.append(
                    (
                        (*loc, "pretrain"),
                        "only a self-hosted model can be pre-trained",
                        "serve = 'self_hosted', or pretrain = 'none'",
                    )
                )
            if o.pretrain == "continued" and o.pretrain_tokens <= 0:
                out.append(
                    (
                        (*loc, "pretrain_tokens"),
                        "continued pre-training needs its token count",
                        "pretrain_tokens > 0; 0 (= 20 x params) is for scratch only",
                    )
                )
    if any(o.pretrains for o in s.options):
        gpus = {g.name for g in s.gpus}
        g = s.pretraining.gpu
        first = next(o.name for o in s.options if o.pretrains)
        if not g:
            out.append(
                (
                    ("pretraining", "gpu"),
                    f"is empty, and option {first!r} pre-trains",
                    "the name of a [[gpus]] row with bf16_tflops > 0",
                )
            )
        elif g not in gpus:
            out.append(_dangling(("pretraining", "gpu"), g, gpus, "[[gpus]]"))
        else:
            row = s.gpu(g)
            if row is not None and row.bf16_tflops <= 0:
                j = s.gpus.index(row)
                out.append(
                    (
                        ("gpus", j, "bf16_tflops"),
                        "[pretraining].gpu needs its BF16 peak to price pre-training",
                        "bf16_tflops > 0, e.g. 989 for an H100 SXM",
                    )
                )
            elif row is not None:
                out.extend(_pretraining_too_long(s))
    return out


def _pretraining_too_long(s: Scenario) -> list[tuple[tuple, str, str]]:
    """A pre-training run past pretrain.MAX_GPU_HOURS, by the engine's own trees."""
    import numpy as np

    from workbench.model import pretrain

    cols = input_values(s, [inputs.BY_COL[c] for c in pretrain.READS])
    env = {
        c: np.array(v, dtype=bool if inputs.BY_COL[c].kind == "bool" else np.float64) for c, v in cols.items()
    }
    for o, long in zip(s.options, pretrain.too_long(env), strict=True):
        if o.pretrains and long:
            return [
                (
                    ("pretraining", "mfu"),
                    f"option {o.name!r} would pre-train for more than {pretrain.MAX_GPU_HOURS:g} GPU-hours",
                    "a larger mfu or bf16_tflops, fewer parameters or tokens",
                )
            ]
    return []


class CrossCheckError(ValueError):
    """Referential problems found after every field validated; carries (loc, problem, expected) triples."""

    def __init__(self, problems: list[tuple[tuple, str, str]]):
        self.problems = problems
        super().__init__("; ".join(p for _, p, _ in problems))


# --- Field metadata, for grids, messages and the README ---------------------------------------------

TABLES: dict[str, type[Table]] = {
    "workload": Workload,
    "market": Market,
    "requirements": Requirements,
    "overheads": Overheads,
    "training": Training,
    "rag": Rag,
    "pretraining": Pretraining,
}
LISTS: dict[str, type[Table]] = {
    "api_models": ApiModel,
    "gpus": Gpu,
    "options": Option,
    "risks": RiskState,
}


def field_unit(model: type[BaseModel], name: str) -> str:
    extra = model.model_fields[name].json_schema_extra
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


def field_bounds(model: type[BaseModel], name: str) -> str:
    """Human text for a field's bounds, e.g. '>= 0, <= 1' (used in messages and docs)."""
    parts = []
    for meta in model.model_fields[name].metadata:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            v = getattr(meta, attr, None)
            if v is not None:
                parts.append(f"{sym} {v:g}" if isinstance(v, int | float) else f"{sym} {v}")
    return ", ".join(parts)


def known_keys(loc: tuple) -> list[str]:
    """The keys allowed at a location (for 'did you mean' on unknown keys)."""
    if len(loc) >= 2 and loc[0] == "uncertainty":
        return list(Range.model_fields)
    model: type[BaseModel] = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        if model is Scenario and part in TABLES:
            model = TABLES[part]
        elif model is Scenario and part in LISTS:
            model = LISTS[part]
        else:
            break
    return list(model.model_fields)


def model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model that owns the last key of a location, or None."""
    if len(loc) == 3 and loc[0] == "uncertainty":
        return Range  # ("uncertainty", "workload.requests_per_day", "low")
    model: type[BaseModel] = Scenario
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        nxt = TABLES.get(part) or LISTS.get(part)
        if nxt is None:
            return None
        model = nxt
    return model


def validate(data: dict) -> Scenario:
    """Validate a plain dict (from TOML or an edit); raises ValidationError or CrossCheckError."""
    return Scenario.model_validate(data)


# --- The formulas' inputs, read from a scenario (the columns: workbench.model.inputs) -----------------


def row_name(s: Scenario, o: Option, source: inputs.Source, always: bool = False) -> str:
    """The name of the row an input of this source reads for option o ("" when the option uses none: an
    API option has no GPU row). `always`: the name the option gives, used or not."""
    if source == "training_gpu":
        return s.training.gpu
    if source == "pretraining_gpu":
        return s.pretraining.gpu
    if source == "api_model":
        return o.model if always or o.is_api else ""
    if source == "teacher":
        return o.teacher if always or o.distill else ""
    if source == "gpu":
        return o.gpu if always or o.is_self_hosted else ""
    if source in ("fallback_option", "fallback_model"):
        f = fallback_of(s, o) if uses_fallback(s, o) else None
        if f is None:
            return ""
        return f.name if source == "fallback_option" else f.model
    return ""


def uses_fallback(s: Scenario, o: Option) -> bool:
    """Whether o's fallback serves some of its traffic: some month of the horizon has s(o, m) < 1, or an
    [uncertainty] range may make it so. Only then do o's rows carry the fallback's prices (else the
    fallback term is 0 whatever they are, and they would only clutter explanations and sensitivity)."""
    if needs_fallback(o, s.horizon_months):
        return True
    return any(f"options[{o.name}].{k}" in s.uncertainty for k in ("go_live_month", "fallback_share"))


def fallback_of(s: Scenario, o: Option) -> Option | None:
    """The API option that serves the traffic o does not (6.1): its `fallback`, or the baseline; None when
    that is not an API option (then o must serve all its traffic, which validation checks)."""
    if o.fallback:
        f = next((x for x in s.options if x.name == o.fallback), None)
    else:
        k = s.baseline_index()
        f = s.options[k] if k is not None else None
    return f if f is not None and f is not o and f.is_api else None


def _row_value(row: ApiModel | Gpu | None, field: str) -> float:
    """A price of an API model or GPU row; 0 without a row; an absent cached price is the input price."""
    if row is None:
        return 0.0
    if isinstance(row, ApiModel) and field == "cached_input":
        return row.cached_price
    return float(getattr(row, field))


def input_values(s: Scenario, cols: Iterable[inputs.Input] = inputs.INPUTS) -> dict[str, list]:
    """Every option's value of each input column: {column: [option 0's value, option 1's, ...]}."""
    opts = s.options
    base = s.baseline_index()
    rows: dict[str, list[ApiModel | Gpu | None]] = {}
    for source, table in inputs.ROW_TABLES.items():
        find = s.gpu if table == "gpus" else s.api_model
        names = [row_name(s, o, source) for o in opts]
        rows[source] = [find(name) if name else None for name in names]
    fallbacks = [fallback_of(s, o) if uses_fallback(s, o) else None for o in opts]
    out: dict[str, list] = {}
    for inp in cols:
        if inp.source == "fallback_option":
            out[inp.col] = [
                (bool if inp.kind == "bool" else float)(getattr(f, inp.field)) if f is not None else 0.0
                for f in fallbacks
            ]
        elif inp.kind == "list":
            out[inp.col] = [list(getattr(o, inp.field)) for o in opts]
        elif inp.source == "scenario":
            table, name = inp.field.split(".")
            out[inp.col] = [float(getattr(getattr(s, table), name))] * len(opts)
        elif inp.source == "baseline":
            out[inp.col] = [k == base for k in range(len(opts))]
        elif inp.source in rows:
            out[inp.col] = [_row_value(row, inp.field) for row in rows[inp.source]]
        elif inp.kind == "bool":
            out[inp.col] = [bool(getattr(o, inp.field)) for o in opts]
        else:
            out[inp.col] = [float(getattr(o, inp.field)) for o in opts]
    return out


def below_capacity_floor(s: Scenario) -> np.ndarray:
    """For each option, whether the capacity trees put it under MIN_CAPACITY requests/s per GPU."""
    import numpy as np

    from workbench.model import capacity

    cols = input_values(s, [inputs.BY_COL[c] for c in capacity.READS])
    return capacity.below_floor({c: np.array(v, dtype=np.float64) for c, v in cols.items()})


# --- Input paths: the [uncertainty] keys and what sensitivity moves -----------------------------------
# A path names one number the cost formulas read (workbench.model.inputs):
#
#     workload.requests_per_day            a field of a scenario table (every option's row)
#     options[Fine-tuned 8B].review_rate   a field of one option (that option's row)
#     api_models[GPT-4o].input             a price (the rows of options that use the model)
#     gpus[H100 PCIe].hourly               a GPU price (options served on it, and training on it)
#
# The schema checks the [uncertainty] keys with these, so they live with the schema.

_PATH = re.compile(r"^(?P<table>[a-z_]+)(?:\[(?P<row>[^\]]+)\])?\.(?P<field>[a-z0-9_]+)$")


class PathError(ValueError):
    """A path that names no input of the cost formulas; the message says what would."""


@dataclass(frozen=True)
class Path:
    table: str  # "workload", ..., "options", "api_models", "gpus"
    row: str | None  # the row's name for list tables
    field: str

    def __str__(self) -> str:
        return (
            f"{self.table}[{self.row}].{self.field}" if self.row is not None else f"{self.table}.{self.field}"
        )


def parse(path: str) -> Path:
    m = _PATH.match(path.strip())
    if not m:
        raise PathError(
            f"{path!r} is not an input path (like workload.requests_per_day, options[NAME].review_rate, "
            "api_models[NAME].input or gpus[NAME].hourly)"
        )
    return Path(m["table"], m["row"].strip() if m["row"] else None, m["field"])


def field_model(p: Path) -> type[BaseModel]:
    if p.row is None:
        if p.table in TABLES:
            return TABLES[p.table]
    elif p.table in ("options", "api_models", "gpus"):
        return LISTS[p.table]
    raise PathError(f"{str(p)!r}: no table {p.table!r} with rows named like that")


_OPTION_FIELDS = set(inputs.OPTION_COLUMNS.values())


def check(s: Scenario, path: str) -> Path:
    """Parse a path and check that it names a numeric input of the cost formulas in this scenario."""
    p = parse(path)
    model = field_model(p)
    if p.field not in model.model_fields:
        hint = difflib.get_close_matches(p.field, list(model.model_fields), n=1)
        raise PathError(f"{path!r}: no field {p.field!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    if p.row is None:
        if str(p) not in inputs.SCENARIO_COLUMNS.values():
            raise PathError(f"{path!r} is not a number the cost formulas read")
        return p
    if p.table == "options":
        if s.options and not any(o.name == p.row for o in s.options):
            raise PathError(f"{path!r}: no option named {p.row!r}")
        if p.field not in _OPTION_FIELDS:
            raise PathError(f"{path!r}: {p.field} is not a number the cost formulas read")
    elif p.table == "api_models":
        if s.api_model(p.row) is None:
            raise PathError(f"{path!r}: no [[api_models]] row named {p.row!r}")
        if p.field not in inputs.API_FIELDS:
            raise PathError(f"{path!r}: {p.field} is not a price")
    elif p.table == "gpus":
        if s.gpu(p.row) is None:
            raise PathError(f"{path!r}: no [[gpus]] row named {p.row!r}")
        if p.field not in inputs.GPU_FIELDS:
            raise PathError(f"{path!r}: {p.field} is not a price")
    return p


@dataclass(frozen=True)
class Bounds:
    low: float | None
    high: float | None
    low_open: bool
    high_open: bool
    integer: bool

    def clamp(self, x: float) -> float:
        if self.low is not None:
            floor = self.low if not self.low_open else self.low + max(abs(self.low), 1.0) * 1e-9
            x = max(x, floor)
        if self.high is not None:
            ceiling = self.high if not self.high_open else self.high - max(abs(self.high), 1.0) * 1e-9
            x = min(x, ceiling)
        return x

    def contains(self, x: float) -> bool:
        if self.low is not None and (x < self.low or (self.low_open and x == self.low)):
            return False
        if self.high is not None and (x > self.high or (self.high_open and x == self.high)):
            return False
        return True

    def text(self) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_open else '<='} {self.high:g}")
        return ", ".join(parts)


def bounds(p: Path) -> Bounds:
    """The schema's bounds of the field a path names (for clamping varied values)."""
    model = field_model(p)
    f = model.model_fields[p.field]
    low = high = None
    low_open = high_open = False
    for meta in f.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            v = getattr(meta, attr, None)
            if v is None:
                continue
            if attr in ("ge", "gt"):
                low, low_open = float(v), attr == "gt"
            else:
                high, high_open = float(v), attr == "lt"
    ann = str(f.annotation)
    integer = "int" in ann and "float" not in ann
    return Bounds(low, high, low_open, high_open, integer)


LOGNORMAL_Z = 1.6448536269514722  # low and high of a lognormal range are its 5th and 95th percentiles


def uncertainty_problems(s: Scenario) -> list[tuple[tuple, str, str]]:
    """Cross-checks of the [uncertainty] table: each key names an input, each range is well formed."""
    out: list[tuple[tuple, str, str]] = []
    for key, r in s.uncertainty.items():
        loc = ("uncertainty", key)
        try:
            p = check(s, key)
        except PathError as exc:
            out.append((loc, str(exc), "an input path such as workload.requests_per_day"))
            continue
        b = bounds(p)
        for name in ("low", "high", "mode"):
            v = getattr(r, name)
            if v is not None and not b.contains(v):
                out.append(((*loc, name), f"{v:g} is outside the input's bounds", b.text()))
        if r.low > r.high:
            out.append(((*loc, "low"), f"low {r.low:g} is above high {r.high:g}", "low <= high"))
        elif r.mode is not None and not r.low <= r.mode <= r.high:
            out.append(
                ((*loc, "mode"), f"mode {r.mode:g} is outside low..high", f"{r.low:g} <= mode <= {r.high:g}")
            )
        if r.dist == "lognormal" and r.low <= 0:
            out.append(((*loc, "low"), "a lognormal range needs low > 0", "low > 0, or dist = 'uniform'"))
    out.extend(_capacity_problems(s))
    return out


# Inputs whose range can lower a self-hosted GPU's capacity, and the end of the range that lowers it.
_CAPACITY_INPUTS = {
    "tokens_per_second_per_gpu": "low",
    "requests_per_second_per_gpu": "low",
    "target_utilization": "low",
    "output_reduction": "low",
}


def _capacity_problems(s: Scenario) -> list[tuple[tuple, str, str]]:
    """A range may not take a self-hosted option below the throughput floor the scenario itself must meet
    (capacity.MIN_CAPACITY): a draw there would need an infinite number of GPUs."""
    from workbench.model.capacity import MIN_CAPACITY

    out: list[tuple[tuple, str, str]] = []
    ranges = s.uncertainty
    w_key = "workload.output_tokens"
    workload = s.workload
    if w_key in ranges:
        workload = workload.model_copy(update={"output_tokens": ranges[w_key].high})
    for o in s.options:
        if not o.is_self_hosted:
            continue
        worst, keys = {}, []
        for field, end in _CAPACITY_INPUTS.items():
            key = f"options[{o.name}].{field}"
            if key in ranges:
                worst[field] = getattr(ranges[key], end)
                keys.append((key, end))
        if w_key in ranges:
            keys.append((w_key, "high"))
        if not keys:
            continue
        at_worst = s.model_copy(update={"workload": workload, "options": [o.model_copy(update=worst)]})
        if not below_capacity_floor(at_worst)[0]:
            continue
        for key, end in keys:
            out.append(
                (
                    ("uncertainty", key, end),
                    f"at its {end} end, {o.name!r} serves under one request per GPU in 30 years",
                    f"a range that keeps throughput × target_utilization at least {MIN_CAPACITY:g} requests/s per GPU",
                )
            )
    return out


__all__ = [
    "ApiModel",
    "CrossCheckError",
    "Gpu",
    "LISTS",
    "Market",
    "Option",
    "Overheads",
    "Rag",
    "Requirements",
    "Range",
    "RiskState",
    "SCHEMA_VERSION",
    "Scenario",
    "TABLES",
    "Training",
    "ValidationError",
    "Workload",
    "field_bounds",
    "field_unit",
    "known_keys",
    "model_at",
    "validate",
    "Path",
    "PathError",
    "parse",
    "check",
    "bounds",
    "Bounds",
    "uncertainty_problems",
]
