"""`workbench aids FILE`: the guides' executive decision matrix and radar of qualities on a scenario, as
the Aids pane shows them (workbench/model/aids.py computes both).

workbench.cli.run adds the parser (add_parsers); the model loads inside the handler.
"""

from __future__ import annotations

import argparse
import json
import sys

from workbench.cli.common import command, fit

HOLDS = {True: "yes", False: "no", None: "undecided"}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "aids",
        help="the guides' decision matrix and radar of qualities, evaluated on a scenario",
        description="Evaluate the published guides' executive decision matrix (which rows fire, which "
        "option each points to, whether the ladder agrees) and score each option on the explainer's "
        "radar of qualities (0-5, each by a stated rule over the scenario's own numbers).",
    )
    p.add_argument("file", help="scenario TOML file, or a preset's name")
    p.add_argument("--format", choices=("table", "json"), default="table", help="table (default) or json")


@command("aids")
def cmd_aids(args: argparse.Namespace) -> int:
    from workbench.model import aids
    from workbench.model.report import analyze
    from workbench.store.files import load

    a = analyze(load(args.file))
    if args.format == "json":
        sys.stdout.write(json.dumps(aids.aids_dict(a.scenario, a.results, a.ladder), indent=2) + "\n")
        return 0
    _print_tables(aids.matrix(a.scenario, a.results, a.ladder), aids.radar(a.scenario, a.results))
    return 0


def _print_tables(m, r) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from workbench.model.aids import TOP

    con = Console(highlight=False)
    con.print(Text("Executive decision matrix (a published guide)", style="bold"))
    for x in m.rows:
        con.print(Text(f"{x.row.n}. {x.row.situation}? {HOLDS[x.holds]}", style="bold" if x.holds else ""))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=2)
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        advice = Text(x.row.advice)
        if x.options:
            more = f" (the cheapest of {len(x.options)})" if len(x.options) > 1 else ""
            advice.append(f" Points to {x.options[0]!r}{more}.")
        else:
            advice.append(" No option in this scenario follows it.")
        if x.agrees is not None:
            advice.append(" Agrees with the ladder." if x.agrees else f" The ladder picks {m.picked!r}.")
        grid.add_row("", "rule", Text(x.row.rule))
        grid.add_row("", "here", Text(x.here))
        grid.add_row("", "->", advice)
        con.print(grid)
    con.print(Text(m.summary(), style="bold"))
    con.print()
    con.print(Text(f"Radar of qualities (a published guide), 0-{TOP}, higher is better", style="bold"))
    t = Table(header_style="bold")
    t.add_column("Option", ratio=1, overflow="fold")
    for q in r.qualities:
        t.add_column(q.title.replace(" ", "\n", 1), justify="center", no_wrap=True)
    for i, name in enumerate(r.options):
        t.add_row(Text(name), *(Text("?" if row[i][0] is None else str(row[i][0])) for row in r.scores))
    con.print(fit(t, con.width))  # borders give way before the table runs past the terminal
    for q in r.qualities:
        line = Text(f"{q.title}: ", style="bold")
        line.append(q.rule)
        con.print(line)
