"""The command line: the TUI by default, and headless commands over the same model.

Exit codes: 0 success, 1 invalid input (the message on stderr), 2 usage errors.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import workbench
from workbench.cli import aids, analysis, data, settings, usage
from workbench.cli.common import COMMANDS, add_columns, command, fail, fit
from workbench.store import paths
from workbench.store.errors import ConfigError, ScenarioError

if TYPE_CHECKING:
    from workbench.model.scenario import Scenario

# The schema (workbench.store.files -> workbench.model.scenario: pydantic, numpy) is imported by the
# commands that read a scenario, not here: presets, paths, completion and --help start without it.

log = logging.getLogger("workbench")

SCENARIO_ARGS = ("file", "files", "a", "b")
"""The positional arguments that name scenario files, in every command: each may be a preset's name."""


@command("report")
def cmd_report(args: argparse.Namespace) -> int:
    from workbench.model import report
    from workbench.store.files import load

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
        t.add_row(label, *(Text(str(row[k])) for k in report.FIGURE_COLUMNS), style=style)
    con.print(fit(t, con.width))
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
    from workbench.model.fmt import shown
    from workbench.store.files import load, shown_path

    bad = 0
    for f in args.files:
        try:
            s = load(f)
        except ScenarioError as exc:
            fail(str(exc))
            bad += 1
            continue
        print(shown(f"{shown_path(f)}: ok ({s.name}: {len(s.options)} options, {s.horizon_months} months)"))
    return 1 if bad else 0


@command("presets")
def cmd_presets(args: argparse.Namespace) -> int:
    from workbench.store.paths import list_presets

    items = list_presets()
    if not items:
        return fail("no presets found")
    from workbench.model.fmt import shown

    width = max(len(p.name) for p, _, _ in items)
    for p, name, desc in items:  # read without validation: the name too may hold control characters
        print(f"{shown(p.name):<{width}}  {shown(name)}")
        if desc:
            print(f"{'':<{width}}  {shown(desc)}")
    return 0


@command("paths")
def cmd_paths(args: argparse.Namespace) -> int:
    from workbench.model.fmt import shown

    rows = paths.locations()
    if args.format == "json":
        out = {key: {"path": str(where), "from": why, "exists": where.exists()} for key, where, why in rows}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    labels = {"recovery": "recovery copies", "config": "config file"}
    width = max(len(labels.get(key, key)) for key, _, _ in rows)
    for key, where, why in rows:
        note = "" if where.exists() else "; not created yet"
        print(shown(f"{labels.get(key, key):<{width}}  {where}  ({why}{note})"))  # a folder from the config
    return 0


@command("completion")
def cmd_completion(args: argparse.Namespace) -> int:
    import shtab

    parser = build_parser()
    # Scenario arguments complete to file names (argparse knows them only as strings).
    for action in _all_actions(parser):
        if not action.option_strings and action.dest in SCENARIO_ARGS:
            action.complete = shtab.FILE  # type: ignore[attr-defined]
    sys.stdout.write(shtab.complete(parser, shell=args.shell))
    return 0


def _all_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    out = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                out += _all_actions(sub)
    return out


def open_tui(files: list[str]) -> int:
    from workbench.store.files import load_with_text

    chosen = [paths.preset_or_file(f) for f in files] or [str(paths.default_preset())]
    scenarios: list[tuple[Path, Scenario, str]] = []
    for f in chosen:
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
        epilog="`workbench COMMAND --help` for each command. A FILE may also be a preset's name (starter).",
    )
    parser.add_argument("--version", action=_Version)
    parser.add_argument(
        "--debug", action="store_true", help="write a debug log to the user log folder (`workbench paths`)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("report", help="compute a scenario and print the results")
    p.add_argument("file", help="scenario TOML file, or a preset's name")
    p.add_argument(
        "--format",
        choices=("table", "json", "csv", "markdown"),
        default="table",
        help="table (default): a readable table; json: the full report; csv: the monthly frame; "
        "markdown: a summary for meeting notes",
    )
    p = sub.add_parser("validate", help="check scenario files and report every problem")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario TOML files, or presets' names")
    sub.add_parser("presets", help="list the shipped presets with their descriptions")
    p = sub.add_parser("paths", help="where presets, saves, recovery copies, exports, config and logs are")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p = sub.add_parser("completion", help="print a shell completion script (see the README to install it)")
    p.add_argument("shell", choices=("bash", "zsh", "fish"))
    # More commands live in one module per group: each defines add_parsers(sub) and registers its handlers
    # with @command (keep the modules' heavy imports inside functions, so a command loads only its own).
    data.add_parsers(sub)
    analysis.add_parsers(sub)
    settings.add_parsers(sub)
    usage.add_parsers(sub)
    aids.add_parsers(sub)
    return parser


class _Version(argparse.Action):
    """--version, as argparse's own "version" action, but the version is looked up only when asked."""

    def __init__(self, option_strings: list[str], dest: str, **_: object) -> None:
        super().__init__(option_strings, argparse.SUPPRESS, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"workbench {workbench.__version__}")  # on stdout, as argparse's own action prints it
        parser.exit()


def start_debug_log() -> None:
    """--debug: everything logged at DEBUG and above goes to workbench.log in the user log folder, and
    stderr says where, once. A folder that cannot be written is one line, and the command runs anyway."""
    file = paths.log_dir() / "workbench.log"
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    except OSError as exc:
        print(f"workbench: no debug log: {file}: {exc.strerror or exc}", file=sys.stderr)
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    print(f"workbench: debug log in {file}", file=sys.stderr)
    log.debug(
        "workbench %s on Python %s, argv %r, cwd %s",
        workbench.__version__,
        sys.version.split()[0],
        sys.argv,
        os.getcwd(),
    )
    for key, where, why in paths.locations():
        log.debug("%s: %s (%s)", key, where, why)


def not_a_command(word: str) -> str | None:
    """The usage error for a first argument that is neither a command nor a file, or None when it may be a
    file: one that exists, looks like a path (`/`, `.toml`) or names a preset opens in the TUI as before."""
    if os.path.lexists(word) or "/" in word or os.sep in word or word.endswith(".toml"):
        return None
    if paths.preset_or_file(word) != word:
        return None
    close = difflib.get_close_matches(word, sorted(COMMANDS), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "`workbench --help` lists the commands"
    return f"workbench: '{word}' is not a command or a file ({hint})"


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
    if "--debug" in argv:  # a global flag, taken wherever it stands
        argv = [a for a in argv if a != "--debug"]
        start_debug_log()
    try:
        code = _dispatch(argv)
    except SystemExit as exc:
        log.debug("exit %s", exc.code)
        raise
    except KeyboardInterrupt:  # Ctrl+C outside a run that stops on its own: one line, the shell's 130
        log.debug("interrupted")
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BaseException:
        if log.isEnabledFor(logging.DEBUG):  # without --debug Python prints the traceback; once is enough
            log.exception("uncaught")
        raise
    log.debug("exit %s", code)
    return code


def _dispatch(argv: list[str]) -> int:
    # The parser (every command's arguments, 4-6 ms) is built only for a command or a flag: opening files
    # in the TUI needs the command names alone, registered when their modules were imported.
    if argv and argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        if argv[0].startswith("-"):
            build_parser().parse_args(argv)  # prints usage and exits 2 for unknown flags
        problem = not_a_command(argv[0])
        if problem:
            fail(problem)  # it quotes the argument, which may hold control characters
            return 2
        return open_tui(argv)
    if not argv:
        return open_tui([])
    args = build_parser().parse_args(argv)
    for name in SCENARIO_ARGS:  # `report starter`: a preset's bare name is its file (paths.preset_or_file)
        value = getattr(args, name, None)
        if isinstance(value, str):
            setattr(args, name, paths.preset_or_file(value))
        elif isinstance(value, list):
            setattr(args, name, [paths.preset_or_file(v) for v in value])
    try:
        return COMMANDS[args.command](args)
    except (ScenarioError, ConfigError) as exc:  # a broken config file: one line, as a broken scenario
        return fail(str(exc))
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
