"""One computed scenario in every shape the CLI prints: the JSON contract (docs/model.md section 3), CSV,
Markdown for meeting notes, and the plain rows the table and the TUI show."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from workbench.model import fmt
from workbench.model._polars import pl
from workbench.model.engine import COMPONENTS, Results, compute
from workbench.model.fmt import json_number
from workbench.model.ladder import NONE_MEETS, Ladder, Verdict, build
from workbench.model.risks import RiskResult, evaluate
from workbench.model.scenario import Scenario


@dataclass
class Analysis:
    """Everything the panes and the CLI need about one scenario, computed once."""

    scenario: Scenario
    results: Results
    ladder: Ladder
    risks: list[RiskResult]


def analyze(s: Scenario) -> Analysis:
    r = compute(s)
    lad = build(s, r)
    return Analysis(s, r, lad, evaluate(s, r, lad.recommendation))


def to_json_dict(a: Analysis) -> dict:
    """The report of docs/model.md section 3 (plus added keys: rungs, currency, per-option extras)."""
    s, r = a.scenario, a.results
    options = []
    for o in r.options:
        col = functools.partial(r.series, o.index)  # one monthly column of this option
        options.append(
            {
                "name": o.name,
                "monthly_total": col("total"),
                "cumulative": col("cumulative"),
                "components": {c: col(c) for c in COMPONENTS},
                "tco": o.tco,
                "cost_per_request": json_number(o.cost_per_request),
                "cost_per_mtok": json_number(o.cost_per_mtok),
                "breakeven_month": o.breakeven_month,
                "breakeven_requests_per_day": json_number(o.breakeven_requests_per_day),
                "gpus_at_horizon": o.gpus_at_horizon,
                "pretrain_gpu_hours": json_number(o.pretrain_gpu_hours),  # docs/model.md 6.3
                "pretrain_days": json_number(o.pretrain_days),
                # Added keys (docs/model.md section 3 allows extensions):
                "serve": o.serve,
                "baseline": o.is_baseline,
                "month1": o.month1,
                "average_monthly": o.average_monthly,
                "breakeven_tokens_per_day": json_number(o.breakeven_tokens_per_day),
                "gpu_hours_at_horizon": json_number(o.gpu_hours_at_horizon),
                "requests": col("req"),
                "gpus": col("gpus"),
                "gpu_hours": col("gpu_hours"),
            }
        )
    return {
        "schema_version": s.schema_version,
        "name": s.name,
        "horizon_months": s.horizon_months,
        "baseline": r.baseline,
        "options": options,
        "ladder": [st.as_dict() for st in a.ladder.steps],
        "recommendation": a.ladder.recommendation.as_dict(),
        "risks": [x.as_dict() for x in a.risks],
        "rungs": [st.as_dict() for st in a.ladder.rungs],
        "currency": s.currency,
        "cheapest": r.cheapest,
    }


def to_json(a: Analysis) -> str:
    return fmt.json_text(to_json_dict(a))


def to_csv(a: Analysis) -> str:
    """The monthly frame: one row per option and month, every component."""
    names = {o.index: o.name for o in a.results.options}
    frame = a.results.monthly
    if frame.height == 0:
        return "option,month\n"
    out = frame.select(
        pl.col("opt").replace_strict(names, return_dtype=pl.String).alias("option"),
        pl.col("m").alias("month"),
        pl.col("rpd").alias("requests_per_day"),
        pl.col("req").alias("requests"),
        *COMPONENTS,
        "total",
        "cumulative",
        "gpus",
        "gpu_hours",
    )
    buf = io.StringIO()
    out.write_csv(buf)
    return buf.getvalue()


VERDICT_MARK: dict[Verdict, str] = {"go": "✔", "not needed": "–", "not yet": "…", "blocked": "✖"}
# An option's marks in the tables: the recommended one gets ★ only when it meets every requirement on a
# 'go' step; the closest one, named when none does, gets ☆.
MARKS: dict[str, str] = {
    "B": "baseline",
    "$": "cheapest TCO",
    "★": "recommended",
    "☆": f"closest ({NONE_MEETS})",
}


def headline(a: Analysis) -> str:
    """The recommendation in one line; when no option qualifies, it says so before naming one."""
    rec = a.ladder.recommendation
    if rec.option is None:
        return "none"
    named = f"step {rec.step}, {rec.option}"
    return named if rec.meets_requirements else f"{rec.why.split('; ')[0]}; closest: {named}"


def because(a: Analysis) -> str:
    """The recommendation's why, less what `headline` already said."""
    rec = a.ladder.recommendation
    if rec.meets_requirements or rec.option is None:
        return rec.why
    return rec.why.split("; ", 1)[-1]


def option_rows(a: Analysis) -> list[dict]:
    """Per option, the figures people read (already formatted), in scenario order."""
    cur = a.scenario.currency
    rec = a.ladder.recommendation.option
    star = "★" if a.ladder.recommendation.meets_requirements else "☆"
    rows = []
    for o in a.results.options:
        rows.append(
            {
                "name": o.name,
                "serve": o.serve,
                "marks": ("B" if o.is_baseline else "")
                + ("$" if o.name == a.results.cheapest else "")
                + (star if o.name == rec else ""),
                "month1": fmt.money(o.month1, cur),
                "average": fmt.money(o.average_monthly, cur),
                "tco": fmt.money(o.tco, cur),
                "per_request": fmt.money(o.cost_per_request, cur),
                "per_mtok": fmt.money(o.cost_per_mtok, cur),
                "breakeven_month": "—"
                if o.is_baseline
                else (str(o.breakeven_month) if o.breakeven_month else "never"),
                "breakeven_volume": "—"
                if o.is_baseline
                else (
                    "never"
                    if o.breakeven_requests_per_day is None
                    else fmt.count(o.breakeven_requests_per_day) + "/d"
                ),
                "gpus": "—"
                if o.gpus_at_horizon is None
                else str(o.gpus_at_horizon)
                if o.gpus_at_horizon < 100_000
                else fmt.count(float(o.gpus_at_horizon)),
            }
        )
    return rows


# The figure columns of an option row (option_rows), in the order the report table and the Markdown show them.
FIGURE_COLUMNS = (
    "month1",
    "average",
    "tco",
    "per_request",
    "per_mtok",
    "breakeven_month",
    "breakeven_volume",
    "gpus",
)


def md_cell(text: object) -> str:
    """Text made safe for a Markdown table cell: a `|` in a name would end the cell (and shift every
    figure after it one column right), a line break would end the row."""
    return " ".join(str(text).replace("\\", "\\\\").replace("|", "\\|").split())


def to_markdown(a: Analysis) -> str:
    """A summary fit to paste into meeting notes."""
    s = a.scenario
    w = s.workload
    lines = [
        f"# {s.name}",
        "",
        f"{fmt.count(w.requests_per_day)} requests/day, {fmt.whole(w.input_tokens)} input + "
        f"{fmt.whole(w.output_tokens)} output tokens, growth {fmt.pct(w.growth_per_month)}/month, "
        f"{s.horizon_months}-month horizon ({s.currency}).",
        "",
        f"**Recommendation:** {headline(a)}: {because(a)}.",
        "",
        "| Option | Month 1 | Avg/month | TCO | Per request | Per 1M tok | Breakeven month | Breakeven volume | GPUs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in option_rows(a):
        marks = {"B": "baseline", "$": "cheapest", "★": "recommended", "☆": "closest"}
        tags = ", ".join(marks[c] for c in row["marks"] if c in marks)
        name = f"{row['name']} ({tags})" if tags else row["name"]
        cells = [name] + [row[k] for k in FIGURE_COLUMNS]
        lines.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
    lines += ["", "## Decision ladder", ""]
    for st in a.ladder.steps + a.ladder.rungs:
        lines.append(
            f"{st.step}. **{st.title}**: {VERDICT_MARK[st.verdict]} {st.verdict}. " + "; ".join(st.reasons)
        )
    flagged = [x for x in a.risks if x.flagged]
    lines += ["", "## Risks", ""]
    if not flagged:
        lines.append("No risk flagged.")
    for x in flagged:
        box = "x" if x.mitigated else " "
        note = fmt.shown(x.note.replace("\n", " "))  # one item of the list; control characters shown
        note = f" Mitigation: {note}" if note else ""
        lines.append(f"- [{box}] **{x.title}** ({x.id}): {x.why}.{note}")
    return "\n".join(lines) + "\n"
