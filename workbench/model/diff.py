"""Scenario diff: which inputs differ between two scenarios, and how each headline result moved.

`flatten` turns a scenario into one value per input path (rows of the grids matched by name, so
reordering rows is not a change): `workload.requests_per_day`, `options[Fine-tuned 8B].review_rate`,
`api_models[GPT-4o].input`, and one value per uncertainty range, `uncertainty[workload.requests_per_day]`
(version-2 keys too: `options[X].rollout`, `pretraining.params`, ...). `diff` compares two analysed
scenarios: the inputs that differ, and per option the TCO, month-1 cost, breakeven month and volume and
pre-training GPU-hours, plus the recommendation, the baseline and the cheapest option. `workbench diff A B` prints it and the
Compare tab lists every differing input through `flatten` too (workbench.model.compare).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.model import fmt
from workbench.model.fmt import json_number

if TYPE_CHECKING:
    from workbench.model.report import Analysis
    from workbench.model.scenario import Scenario

ROW_KEYS = {"api_models": "name", "gpus": "name", "options": "name", "risks": "id"}
ABSENT = "—"


def flatten(s: Scenario) -> dict[str, Any]:
    """Every input of a scenario as {path: value}, in schema order; list rows keyed by name."""
    data = s.model_dump()
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in ROW_KEYS:
            for row in value:
                ident = row[ROW_KEYS[key]]
                out[f"{key}[{ident}]"] = "present"
                for f, v in row.items():
                    if f != ROW_KEYS[key]:
                        out[f"{key}[{ident}].{f}"] = v
        elif key == "uncertainty":
            for path, r in s.uncertainty.items():
                mode = f", mode {show(r.mode)}" if r.mode is not None else ""
                out[f"uncertainty[{path}]"] = f"{r.dist} {show(r.low)} .. {show(r.high)}{mode}"
        elif isinstance(value, dict):
            for f, v in value.items():
                out[f"{key}.{f}"] = v
        else:
            out[key] = value
    return out


def show(value: Any) -> str:
    """An input exactly, as a reviewer wants to read it: 20,000 / 0.35 / yes / "text"."""
    if value is None:
        return "absent"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        x = float(value)
        if x == int(x) and abs(x) < 1e15:
            return f"{int(x):,}"
        return f"{x:,.6f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple):  # an option's rollout shares
        return ", ".join(show(v) for v in value) if value else "none"
    text = fmt.shown(str(value).replace("\n", " ").strip())  # free text: its control characters shown
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class InputChange:
    path: str
    a: Any
    b: Any

    @property
    def kind(self) -> str:
        if self.a is _MISSING:
            return "added"
        if self.b is _MISSING:
            return "removed"
        return "changed"

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "a": None if self.a is _MISSING else self.a,
            "b": None if self.b is _MISSING else self.b,
            "change": self.kind,
        }


class _Missing:
    def __repr__(self) -> str:
        return ABSENT


_MISSING: Any = _Missing()


def input_changes(a: Scenario, b: Scenario) -> list[InputChange]:
    """The inputs that differ (A's order first, then paths only B has). A row present in only one
    scenario is one change (`options[X]` added/removed), not one per field."""
    fa, fb = flatten(a), flatten(b)
    rows_only = {k for k in fa.keys() ^ fb.keys() if k.endswith("]") and "." not in k.split("[", 1)[0]}
    out: list[InputChange] = []
    for path in [*fa, *(k for k in fb if k not in fa)]:
        owner = path.split("].", 1)[0] + "]" if "]." in path else None
        if owner in rows_only:
            continue  # a field of a row that is added or removed as a whole
        va, vb = fa.get(path, _MISSING), fb.get(path, _MISSING)
        if va is _MISSING or vb is _MISSING or not _same(va, vb):
            out.append(InputChange(path, va, vb))
    return out


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) or isinstance(y, float):
        try:
            return float(x) == float(y)
        except (TypeError, ValueError):
            return False
    return x == y


@dataclass
class OptionMove:
    name: str
    tco: tuple[float | None, float | None]
    month1: tuple[float | None, float | None]
    breakeven_month: tuple[int | None, int | None]
    breakeven_volume: tuple[float | None, float | None]
    baseline: tuple[bool | None, bool | None]
    # docs/model.md 6.3: the compute of a pre-training run (None where the option pre-trains nothing)
    pretrain_gpu_hours: tuple[float | None, float | None] = (None, None)

    @property
    def tco_change(self) -> float | None:
        a, b = self.tco
        return None if a is None or b is None else b - a

    @property
    def tco_change_pct(self) -> float | None:
        a, b = self.tco
        if a is None or b is None or a == 0:
            return None
        return (b - a) / abs(a)

    def as_dict(self) -> dict:
        def pair(p: tuple) -> dict:
            return {"a": json_number(p[0]), "b": json_number(p[1])}

        return {
            "name": self.name,
            "tco": pair(self.tco)
            | {"change": json_number(self.tco_change), "change_pct": json_number(self.tco_change_pct)},
            "month1": pair(self.month1),
            "breakeven_month": pair(self.breakeven_month),
            "breakeven_requests_per_day": pair(self.breakeven_volume),
            "pretrain_gpu_hours": pair(self.pretrain_gpu_hours),
            "in_a": self.tco[0] is not None,
            "in_b": self.tco[1] is not None,
        }


@dataclass
class Diff:
    a_label: str
    b_label: str
    inputs: list[InputChange]
    options: list[OptionMove]
    recommendation: tuple[str, str]
    baseline: tuple[str | None, str | None]
    cheapest: tuple[str | None, str | None]
    currency: tuple[str, str] = ("USD", "USD")
    notes: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.inputs

    def as_dict(self) -> dict:
        return {
            "a": self.a_label,
            "b": self.b_label,
            "inputs": [c.as_dict() for c in self.inputs],
            "options": [o.as_dict() for o in self.options],
            "recommendation": {
                "a": self.recommendation[0],
                "b": self.recommendation[1],
                "changed": self.recommendation[0] != self.recommendation[1],
            },
            "baseline": {"a": self.baseline[0], "b": self.baseline[1]},
            "cheapest": {"a": self.cheapest[0], "b": self.cheapest[1]},
        }

    def text(self) -> str:
        """The diff as plain text for a terminal, meeting notes or a code review."""
        cur = self.currency[0]
        lines = [f"--- {self.a_label}", f"+++ {self.b_label}", ""]
        if not self.inputs:
            lines.append("Inputs: identical.")
        else:
            lines.append(f"Inputs that differ ({len(self.inputs)}):")
            width = min(60, max(len(c.path) for c in self.inputs))
            for c in self.inputs:
                if c.kind == "added":
                    lines.append(f"  + {c.path:<{width}}  added")
                elif c.kind == "removed":
                    lines.append(f"  - {c.path:<{width}}  removed")
                else:
                    lines.append(f"  ~ {c.path:<{width}}  {show(c.a)} → {show(c.b)}")
        lines += ["", "Results:"]
        ra, rb = self.recommendation
        lines.append(f"  recommendation  {ra} → {rb}" if ra != rb else f"  recommendation  {ra} (unchanged)")
        for what, (x, y) in (("cheapest", self.cheapest), ("baseline", self.baseline)):
            lines.append(f"  {what:<14}  {x} → {y}" if x != y else f"  {what:<14}  {x} (unchanged)")
        lines.append("")
        head = f"  {'option':<34} {'TCO A':>10} {'TCO B':>10} {'change':>16} {'B/E month':>13} {'B/E volume':>19}"
        lines.append(head)
        for o in self.options:
            name = o.name if len(o.name) <= 34 else o.name[:33] + "…"
            a, b = o.tco
            ch = o.tco_change
            pct = o.tco_change_pct
            change = "—" if ch is None else f"{'+' if ch >= 0 else '-'}{fmt.money(abs(ch), cur)}"
            if pct is not None:
                change += f" ({pct:+.0%})"
            lines.append(
                f"  {name:<34} {fmt.money(a, cur) if a is not None else ABSENT:>10} "
                f"{fmt.money(b, cur) if b is not None else ABSENT:>10} {change:>16} "
                f"{_month_pair(o):>13} {_volume_pair(o):>19}"
            )
        pretraining = [o for o in self.options if o.pretrain_gpu_hours != (None, None)]
        if pretraining:
            lines += ["", "Pre-training GPU-hours:"]
            for o in pretraining:
                ha, hb = (ABSENT if h is None else f"{h:,.0f}" for h in o.pretrain_gpu_hours)
                lines.append(f"  {o.name:<34} {ha if ha == hb else f'{ha} → {hb}'}")
        return "\n".join(lines) + "\n"


def _month(o: OptionMove, i: int) -> str:
    if o.tco[i] is None:
        return ABSENT
    if o.baseline[i]:
        return "base"
    m = o.breakeven_month[i]
    return "never" if m is None else str(m)


def _month_pair(o: OptionMove) -> str:
    a, b = _month(o, 0), _month(o, 1)
    return a if a == b else f"{a} → {b}"


def _volume(o: OptionMove, i: int) -> str:
    if o.tco[i] is None:
        return ABSENT
    if o.baseline[i]:
        return "base"
    v = o.breakeven_volume[i]
    return "never" if v is None else fmt.count(v)


def _volume_pair(o: OptionMove) -> str:
    a, b = _volume(o, 0), _volume(o, 1)
    return a if a == b else f"{a} → {b}"


def _rec(a: Analysis) -> str:
    rec = a.ladder.recommendation
    return f"step {rec.step}: {rec.option}" if rec.option else f"step {rec.step}"


def diff(a: Analysis, b: Analysis, a_label: str = "A", b_label: str = "B") -> Diff:
    """Inputs that differ and how the headline results moved, from A to B."""
    names = list(dict.fromkeys([o.name for o in a.results.options] + [o.name for o in b.results.options]))
    moves = []
    for n in names:
        oa, ob = a.results.option(n), b.results.option(n)
        moves.append(
            OptionMove(
                n,
                (oa.tco if oa else None, ob.tco if ob else None),
                (oa.month1 if oa else None, ob.month1 if ob else None),
                (oa.breakeven_month if oa else None, ob.breakeven_month if ob else None),
                (
                    oa.breakeven_requests_per_day if oa else None,
                    ob.breakeven_requests_per_day if ob else None,
                ),
                (oa.is_baseline if oa else None, ob.is_baseline if ob else None),
                (oa.pretrain_gpu_hours if oa else None, ob.pretrain_gpu_hours if ob else None),
            )
        )
    return Diff(
        a_label,
        b_label,
        input_changes(a.scenario, b.scenario),
        moves,
        (_rec(a), _rec(b)),
        (a.results.baseline, b.results.baseline),
        (a.results.cheapest, b.results.cheapest),
        (a.scenario.currency, b.scenario.currency),
    )


def changed_paths(scenarios: list[Scenario]) -> list[str]:
    """Input paths where any scenario differs from the first (the Compare tab's extra rows)."""
    seen: dict[str, None] = {}
    for s in scenarios[1:]:
        for c in input_changes(scenarios[0], s):
            seen.setdefault(c.path, None)
    return list(seen)
