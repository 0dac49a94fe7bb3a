"""The command line: the TUI by default, and headless commands over the same model.

Exit codes: 0 success, 1 invalid input (the message on stderr), 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli import analysis, data, settings
from workbench.cli.common import COMMANDS, add_columns, command, fail
from workbench.model.scenario import Scenario
from workbench.store.files import ScenarioError, load, load_with_text, shown_path


@command("report")
def cmd_report(args: argparse.Namespace) -> int:
    from workbench.model import report

    a = report.analyze(load(args.file))
    if args.format == "json":
        sys.stdout.write(report.to_json(a) + "\n")
    elif args.format == "csv":
        sys.stdout.write(report.to_csv(a))
    elif args.format == "markdown":
        sys.stdout.write(report.to_markdown(a))
    else:
        _print_table(a)
    return 0


def _print_table(a) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from workbench.model import report

    con = Console(highlight=False)
    s = a.scenario
    con.print(Text(s.name, style="bold"))
    w = s.workload
    con.print(
        Text(
            f"{w.requests_per_day:,.0f} requests/day · {w.input_tokens:,.0f} in + {w.output_tokens:,.0f} out tokens · "
            f"{s.horizon_months} months · {s.currency}"
        )
    )
    t = Table(show_lines=False, header_style="bold")
    add_columns(
        t,
        ("Option", "left"),
        ("Month 1", "right"),
        ("Avg/mo", "right"),
        ("TCO", "right"),
        ("/req", "right"),
        ("/1M tok", "right"),
        ("B/E month", "right"),
        ("B/E volume", "right"),
        ("GPUs", "right"),
    )
    for row in report.option_rows(a):
        label = Text(
            row["name"] + (f" [{row['marks']}]" if row["marks"] else "")
        )  # names are text, not markup
        style = "bold green" if "★" in row["marks"] else "bold yellow" if "☆" in row["marks"] else None
        cells = (
            "month1",
            "average",
            "tco",
            "per_request",
            "per_mtok",
            "breakeven_month",
            "breakeven_volume",
            "gpus",
        )
        t.add_row(label, *(Text(str(row[k])) for k in cells), style=style)
    con.print(t)
    shown = {m for row in report.option_rows(a) for m in row["marks"]}
    con.print(
        Text(
            " · ".join(f"{m} {what}" for m, what in report.MARKS.items() if m != "☆" or m in shown),
            style="dim",
        )
    )
    con.print(Text(f"Recommendation: {report.headline(a)}", style="bold"))
    con.print(Text(report.because(a)))
    con.print(Text("Decision ladder", style="bold"))
    for st in a.ladder.steps + a.ladder.rungs:
        con.print(Text(f" {report.VERDICT_MARK[st.verdict]} {st.step}. {st.title}: {st.verdict}"))
        for reason in st.reasons:
            con.print(Text(f"     {reason}", style="dim"))
    flagged = [x for x in a.risks if x.flagged]
    con.print(Text(f"Risks flagged: {len(flagged)} of {len(a.risks)}", style="bold"))
    for x in flagged:
        mark = "[x]" if x.mitigated else "[ ]"
        con.print(Text(f" {mark} {x.title}: {x.why}"))


@command("validate")
def cmd_validate(args: argparse.Namespace) -> int:
    bad = 0
    for f in args.files:
        try:
            s = load(f)
        except ScenarioError as exc:
            print(exc, file=sys.stderr)
            bad += 1
            continue
        print(f"{shown_path(f)}: ok ({s.name}: {len(s.options)} options, {s.horizon_months} months)")
    return 1 if bad else 0


@command("presets")
def cmd_presets(args: argparse.Namespace) -> int:
    from workbench.store.paths import list_presets

    items = list_presets()
    if not items:
        return fail("no presets found")
    width = max(len(p.name) for p, _, _ in items)
    for p, name, desc in items:
        print(f"{p.name:<{width}}  {name}")
        if desc:
            print(f"{'':<{width}}  {desc}")
    return 0


def open_tui(files: list[str]) -> int:
    from workbench.store.paths import default_preset

    paths = files or [str(default_preset())]
    scenarios: list[tuple[Path, Scenario, str]] = []
    for f in paths:
        try:
            scenario, text = load_with_text(f)
            scenarios.append((Path(f), scenario, text))
        except ScenarioError as exc:
            return fail(str(exc))
    from workbench.tui.app import run

    return run(scenarios)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Build-vs-buy workbench for LLM features. With no command, opens the TUI on the given "
        "scenario files (or the starter preset).",
        epilog="`workbench COMMAND --help` for each command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("report", help="compute a scenario and print the results")
    p.add_argument("file", help="scenario TOML file")
    p.add_argument(
        "--format",
        choices=("table", "json", "csv", "markdown"),
        default="table",
        help="table (default): a readable table; json: the full report; csv: the monthly frame; "
        "markdown: a summary for meeting notes",
    )
    p = sub.add_parser("validate", help="check scenario files and report every problem")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario TOML files")
    sub.add_parser("presets", help="list the shipped presets with their descriptions")
    # More commands live in one module per group: each defines add_parsers(sub) and registers its handlers
    # with @command (keep the modules' heavy imports inside functions, so a command loads only its own).
    data.add_parsers(sub)
    analysis.add_parsers(sub)
    settings.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # a text no encoding can hold is escaped, never a traceback
        # absent when the stream is not a TextIOWrapper (a test's capture)
        reconfigure = getattr(stream, "reconfigure", None)
        try:
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")
        except ValueError:  # closed
            pass
    parser = build_parser()
    if argv and argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        if argv[0].startswith("-"):
            parser.parse_args(argv)  # prints usage and exits 2 for unknown flags
        return open_tui(argv)
    if not argv:
        return open_tui([])
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ScenarioError as exc:
        return fail(str(exc))
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
