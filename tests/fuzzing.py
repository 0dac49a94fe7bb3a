"""Shared pieces of the reliability tests (issue 7): scenario generators driven by the schema's own
field metadata, and the check that an analysis holds no NaN or infinity anywhere.

Not a test module: test_fuzz_files, test_fuzz_cells and test_edges import it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

import polars as pl
from hypothesis import strategies as st

from workbench.model import report
from workbench.model import scenario as sc
from workbench.model.catalog import RISK_IDS

REF_FIELDS = {"model", "gpu", "teacher", "fallback"}  # names of other rows, drawn from the rows that exist
V2_RULED = {"train_on", "pretrain"}  # version-2 choices with cross-checks: drawn only where they can hold


@dataclass(frozen=True)
class Spec:
    """What the schema says about one field: its kind, bounds and choices."""

    name: str
    kind: str  # float | int | bool | choice | str | optional_float
    lo: float | None = None
    lo_open: bool = False
    hi: float | None = None
    choices: tuple = ()
    min_len: int = 0
    max_len: int | None = None
    label: bool = False  # a name or label (scenario.Label): no control characters


def specs(model: type) -> list[Spec]:
    out = []
    for name, f in model.model_fields.items():
        ann = f.annotation
        lo = hi = None
        lo_open = False
        min_len, max_len = 0, None
        for meta in f.metadata:
            if getattr(meta, "ge", None) is not None:
                lo = meta.ge
            if getattr(meta, "gt", None) is not None:
                lo, lo_open = meta.gt, True
            if getattr(meta, "le", None) is not None:
                hi = meta.le
            if getattr(meta, "min_length", None) is not None:
                min_len = meta.min_length
            if getattr(meta, "max_length", None) is not None:
                max_len = meta.max_length
        if get_origin(ann) is Literal:
            out.append(Spec(name, "choice", choices=get_args(ann)))
        elif ann is bool:
            out.append(Spec(name, "bool"))
        elif ann is int:
            out.append(Spec(name, "int", lo, lo_open, hi))
        elif ann is float:
            out.append(Spec(name, "float", lo, lo_open, hi))
        elif ann == (float | None):
            out.append(Spec(name, "optional_float", lo, lo_open, hi))
        elif ann is str:
            out.append(Spec(name, "str", min_len=min_len, max_len=max_len, label=sc.is_label(model, name)))
        # nested tables and lists are built by the scenario strategy
    return out


SPECS: dict[str, list[Spec]] = {
    "": specs(sc.Scenario),
    **{t: specs(m) for t, m in sc.TABLES.items()},
    **{t: specs(m) for t, m in sc.LISTS.items()},
}
NUMERIC_PATHS: list[tuple[str, Spec]] = [
    (t, s) for t, ss in SPECS.items() for s in ss if s.kind in ("float", "int", "optional_float")
]


def floats_in(spec: Spec) -> st.SearchStrategy[float]:
    """Valid floats, weighted towards the edges: the bounds, just inside them, subnormals, round values."""
    lo = spec.lo if spec.lo is not None else -1e12
    hi = spec.hi if spec.hi is not None else 1e12
    edges = [hi, (lo + hi) / 2]
    if not spec.lo_open:
        edges.append(lo)
    inside = math.nextafter(lo, math.inf)
    edges += [inside, math.nextafter(hi, -math.inf)]
    if lo <= 0 < hi:
        edges += [5e-324, 1e-300, 1e-9, 1.0]
    return st.one_of(
        st.sampled_from([float(e) for e in edges if lo <= e <= hi and not (spec.lo_open and e == lo)]),
        st.floats(lo, hi, exclude_min=spec.lo_open, allow_nan=False, allow_infinity=False),
        st.integers(
            int(math.ceil(lo)) + (1 if spec.lo_open and lo == int(lo) else 0), int(min(hi, 1e15))
        ).map(float),
    )


def ints_in(spec: Spec) -> st.SearchStrategy[int]:
    lo = int(spec.lo) + (1 if spec.lo_open else 0) if spec.lo is not None else -(10**6)
    hi = int(spec.hi) if spec.hi is not None else 10**6
    return st.one_of(st.sampled_from([lo, hi]), st.integers(lo, hi))


TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    max_size=40,
)
# Names and labels (scenario.Label) refuse control and format characters: a valid name is drawn without.
LABEL_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf")), max_size=40
)


def value_for(spec: Spec) -> st.SearchStrategy[Any]:
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "int":
        return ints_in(spec)
    if spec.kind in ("float", "optional_float"):
        return floats_in(spec)
    size = spec.max_len if spec.max_len is not None else 60
    if spec.label:
        return LABEL_TEXT.filter(lambda t: spec.min_len <= len(t) <= size)
    return st.one_of(TEXT, st.text(max_size=size)).filter(lambda t: spec.min_len <= len(t) <= size)


@st.composite
def table(draw, key: str, fixed: dict | None = None, keep: float = 0.7) -> dict:
    """A table with a random subset of its fields (the rest default)."""
    out: dict = {}
    for spec in SPECS[key]:
        if fixed and spec.name in fixed:
            continue
        if spec.name in REF_FIELDS | V2_RULED or (key == "" and spec.name == "schema_version"):
            continue
        if draw(st.floats(0, 1)) < keep:
            out[spec.name] = draw(value_for(spec))
    out.update(fixed or {})
    return out


@st.composite
def scenario_dicts(draw, max_rows: int = 4) -> dict:
    """A scenario over the schema's full ranges; referential keys mostly point at rows that exist."""
    data: dict = draw(table(""))
    for t in sc.TABLES:
        if draw(st.booleans()) or t == "workload":
            data[t] = draw(table(t))
    n_models = draw(st.integers(0, max_rows))
    n_gpus = draw(st.integers(0, max_rows))
    models = [f"m{i} {draw(LABEL_TEXT)}" for i in range(n_models)]
    gpus = [f"g{i} {draw(LABEL_TEXT)}" for i in range(n_gpus)]
    data["api_models"] = [draw(table("api_models", {"name": n})) for n in models]
    data["gpus"] = [draw(table("gpus", {"name": n})) for n in gpus]
    if gpus and draw(st.booleans()):
        data.setdefault("training", {})["gpu"] = draw(st.sampled_from(gpus))
    options = []
    n_options = draw(st.integers(0, max_rows))
    base = draw(st.one_of(st.none(), st.integers(0, max(0, n_options - 1))))
    for i in range(n_options):
        o = draw(table("options", {"name": f"o{i} {draw(LABEL_TEXT)}", "baseline": base == i}))
        serve = "self_hosted" if gpus and (not models or draw(st.booleans())) else "api"
        o["serve"] = serve
        if serve == "api" and models:
            o["model"] = draw(st.sampled_from(models))
        if serve == "self_hosted":
            o["gpu"] = draw(st.sampled_from(gpus))
            if o.get("tokens_per_second_per_gpu", 0) <= 0 and o.get("requests_per_second_per_gpu", 0) <= 0:
                o["tokens_per_second_per_gpu"] = draw(floats_in(Spec("t", "float", 0, True, 1e9)))
        if o.get("distill") and models:
            o["teacher"] = draw(st.sampled_from(models))
        options.append(o)
    data["options"] = options
    _fit_version_2(draw, data, base)
    ids = draw(st.lists(st.sampled_from(RISK_IDS), unique=True, max_size=4))
    data["risks"] = [draw(table("risks", {"id": r})) for r in ids]
    return data


def _fit_version_2(draw, data: dict, base: int | None) -> None:
    """Version 1 or 2 at random. A version-1 file keeps every version-2 key at its default (they are
    dropped); a version-2 file keeps its rollout keys only where a fallback can serve the rest, draws
    provider training and pre-training where they can hold, and goes live within the horizon."""
    v2 = draw(st.booleans())
    data["schema_version"] = 2 if v2 else 1
    options = data["options"]
    rollout_keys = ("go_live_month", "rollout", "fallback_share", "fallback")
    rows = [(t, r) for t in sc.TABLES for r in [data.get(t)] if isinstance(r, dict)]
    rows += [(t, r) for t in ("api_models", "gpus", "options") for r in data.get(t, [])]
    if not v2:
        for t, r in rows:
            model = sc.TABLES.get(t) or sc.LISTS[t]
            for k in [k for k in r if k in model.model_fields and sc.version_of_field(model, k) > 1]:
                del r[k]
        if not data.get("pretraining", True):
            del data["pretraining"]  # a table of version-2 keys only: a version-1 file has none
        return
    b = base if base is not None else 0
    base_api = bool(options) and options[b].get("serve", "api") == "api"
    horizon = data.get("horizon_months", 24)
    for i, o in enumerate(options):
        if "go_live_month" in o:
            o["go_live_month"] = min(o["go_live_month"], horizon)
        if draw(st.booleans()):
            o["rollout"] = draw(st.lists(st.floats(0, 1), max_size=4))
        if i == b or not base_api:
            for k in rollout_keys:
                o.pop(k, None)
        if o.get("serve") == "api" and (o.get("fine_tune") or o.get("distill")):
            m = next((x for x in data["api_models"] if x["name"] == o.get("model")), None)
            if m is not None and (m.get("training_per_mtok", 0) > 0 or m.get("training_per_hour", 0) > 0):
                o["train_on"] = draw(st.sampled_from(["gpu", "provider"]))
    tflops = [g["name"] for g in data["gpus"] if g.get("bf16_tflops", 0) > 0]
    if tflops and draw(st.booleans()):
        data.setdefault("pretraining", {})["gpu"] = draw(st.sampled_from(tflops))
        for o in options:
            if o.get("serve") == "self_hosted" and draw(st.booleans()):
                o["pretrain"] = (
                    "scratch"
                    if o.get("pretrain_tokens", 0) <= 0
                    else draw(st.sampled_from(["continued", "scratch"]))
                )


# --- Results hold no NaN and no infinity ------------------------------------------------------------

_NONFINITE_WORD = re.compile(r"\b(nan|inf|infinity)\b", re.IGNORECASE)


def _numbers(obj: Any, where: str = ""):
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return
    if isinstance(obj, int | float):
        yield where, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _numbers(v, f"{where}.{k}")
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            yield from _numbers(v, f"{where}[{i}]")


def assert_finite(a: report.Analysis) -> None:
    """Every figure of an analysis is finite: the monthly frame, each option's summary, the JSON report,
    and no reason or 'why' text quotes a NaN or an infinity."""
    frame = a.results.monthly
    for name, dtype in frame.schema.items():
        # `thr` (requests/s per GPU) is an intermediate: infinite when a request has no output tokens,
        # which correctly needs no GPU time beyond the floor. Every figure derived from it is checked.
        if dtype.is_float() and name != "thr":
            bad = frame.filter(pl.col(name).is_not_null() & ~pl.col(name).is_finite())
            assert bad.height == 0, f"monthly column {name} has non-finite values: {bad[name].to_list()[:3]}"
    for o in a.results.options:
        for k, v in vars(o).items():
            if isinstance(v, float):
                assert math.isfinite(v), f"{o.name}.{k} = {v}"
    d = report.to_json_dict(a)
    for where, x in _numbers(d):
        assert math.isfinite(x), f"report{where} = {x}"
    text = json.dumps(d, allow_nan=False, ensure_ascii=False)
    names = sorted(
        [o.name for o in a.scenario.options]
        + [m.name for m in a.scenario.api_models]
        + [g.name for g in a.scenario.gpus]
        + [a.scenario.currency],  # a currency code may be spelt "INF" or "NAN" too
        key=len,
        reverse=True,
    )

    def unnamed(t: str) -> str:  # a row may be called "inf"; only figures matter here
        for n in names:
            if n:
                t = t.replace(n, "<name>")
        return t

    for piece in (
        [st_["reasons"] for st_ in d["ladder"]]
        + [[d["recommendation"]["why"]]]
        + [[r["why"]] for r in d["risks"]]
    ):
        for reason in piece:
            assert not _NONFINITE_WORD.search(unnamed(reason)), reason
    assert text
    for row in report.option_rows(a):
        for k, v in row.items():
            if k != "name":
                assert not _NONFINITE_WORD.search(unnamed(v)), (k, v)
