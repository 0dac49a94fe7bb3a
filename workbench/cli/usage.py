"""`workbench usage`: summarise API usage logs and, with --into, fill a scenario's [workload] from them.

workbench.cli.run adds the parser (add_parsers); polars and the scenario code load inside the handler.
"""

from __future__ import annotations

import argparse
import json
import sys

from workbench.cli.common import command, fail

COLUMN_FLAGS = (
    ("timestamp", "--time-col", "the column of each row's time (ISO 8601 or Unix seconds/ms/us/ns)"),
    ("input", "--input-col", "the column of input (prompt) tokens"),
    ("output", "--output-col", "the column of output (completion) tokens"),
    ("cached", "--cached-col", "the column of cached input tokens (optional)"),
    ("model", "--model-col", "the column of the model name (optional)"),
    ("spend", "--spend-col", "the column of the spend per row (optional)"),
    ("requests", "--requests-col", "the column of requests per row, for a bucketed log (optional; else 1)"),
)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "usage",
        help="summarise API usage logs (OpenAI, LiteLLM, OpenTelemetry, CSV); --into fills [workload]",
        description="Read usage logs (CSV, JSON Lines, JSON, Parquet, any of them .gz) and print requests "
        "per day, tokens per request, the cached share, peak to average, growth per month, traffic by "
        "model and, where the log records spend, the spend against the scenario's prices. "
        "OpenAI usage exports, LiteLLM spend logs and OpenTelemetry GenAI spans are recognised by their "
        "columns; name the columns of any other log with --time-col, --input-col and --output-col. "
        "Example: workbench usage spend_logs.csv --into my_scenario.toml",
    )
    p.add_argument("logs", nargs="+", metavar="LOG", help="usage log files (one format for all)")
    p.add_argument(
        "--format",
        choices=("auto", "openai", "litellm", "otel", "csv"),
        default="auto",
        help="the log's format (default auto: recognised by its columns)",
    )
    p.add_argument(
        "--into",
        metavar="FILE",
        help="write the figures into this scenario's [workload] (comments and layout kept)",
    )
    p.add_argument(
        "--scenario",
        metavar="FILE",
        help="scenario (or preset) whose [[api_models]] prices the spend check uses, without --into",
    )
    p.add_argument("--format-out", choices=("table", "json"), default="table", help="table (default) or json")
    for key, flag, text in COLUMN_FLAGS:
        p.add_argument(flag, dest=f"col_{key}", metavar="NAME", help=text)


@command("usage")
def cmd_usage(args: argparse.Namespace) -> int:
    from workbench.model.fmt import shown
    from workbench.model.usage import UsageError
    from workbench.store import files, paths, usagelog

    columns = {key: getattr(args, f"col_{key}") for key, _, _ in COLUMN_FLAGS if getattr(args, f"col_{key}")}
    into = paths.preset_or_file(args.into) if args.into else None
    prices_from = into or (paths.preset_or_file(args.scenario) if args.scenario else None)
    if into is not None and paths.is_preset(into):
        return fail(
            f"usage: --into {files.shown_path(into)} is a shipped preset; save a copy "
            "(`cp` it, or Save as in the workbench) and import into the copy"
        )
    scenario = base = None
    if prices_from is not None:
        scenario, base = files.load_with_text(prices_from)  # ScenarioError: one line, from the dispatcher
    try:
        summary = usagelog.summarize(args.logs, args.format, columns or None, scenario)
    except UsageError as exc:
        return fail(f"usage: {exc}")
    if into is not None and scenario is not None and base is not None:
        problem = _write_into(into, scenario, base, summary)
        if problem:
            return fail(problem)
    if args.format_out == "json":
        out = summary.as_dict()
        if into is not None:
            out["into"] = {"file": into, "set": summary.workload(), "left_out": dict(summary.left_out())}
        sys.stdout.write(json.dumps(out, indent=2, default=str) + "\n")
        return 0
    for line in summary.lines():  # model names and file names from the logs: shown, not sent
        print(shown(line))
    if into is not None:
        wrote = summary.workload()
        print(
            f"wrote into {files.shown_path(into)} [workload]: "
            + ", ".join(f"{k} = {v:g}" for k, v in wrote.items())
        )
        for key, why in summary.left_out():
            print(f"  kept {key} as it was: {why}")
    return 0


def _write_into(path: str, scenario, base: str, summary) -> str | None:
    """Fill the file's [workload] and save it atomically with its layout kept; a one-line problem or None."""
    from workbench.edits import data
    from workbench.edits.edit import EditError
    from workbench.store import files, usagelog

    figures = summary.workload()
    if not figures:
        return f"usage: the log supports none of the [workload] figures; {files.shown_path(path)} unchanged"
    try:
        new = data.set_workload(scenario, figures, summary.source_text())
    except EditError as exc:
        return f"usage: {files.shown_path(path)}: [workload]: {exc}"
    text = files.dump_text(new, base)
    keys = ", ".join(figures)
    commented = usagelog.with_comment(text, f"{keys} from {summary.source_text()} (`workbench usage`)")
    try:
        if files.parse_text(commented) == new:
            text = commented
    except files.ScenarioError:
        pass
    files.write_atomic(path, text)  # ScenarioError (a folder that cannot be written): one line
    return None
