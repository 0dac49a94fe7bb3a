"""`workbench config`: the user config's effective values and where each comes from.

workbench.cli.run adds the parser (add_parsers).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from workbench.cli.common import command, fail


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "config",
        help="show the user config's values and where each comes from",
        description="Show every value of the user config (theme, saves folder, default currency, key "
        "overrides), where each comes from (default, the config file, or the environment), and the config "
        "file's path. WORKBENCH_CONFIG names another file. A broken file is reported in one line and exits 1.",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--path", action="store_true", help="print only the config file's path")
    what.add_argument(
        "--init",
        action="store_true",
        help="write a commented starter config file (never over an existing one)",
    )


def _source(kind: str, where: str = "") -> dict[str, str]:
    return {"source": kind, "from": where}


@command("config")
def cmd_config(args: argparse.Namespace) -> int:
    from workbench.model.fmt import shown
    from workbench.store import config, paths
    from workbench.store.files import ScenarioError, write_atomic

    path = paths.config_file()
    if args.path:
        print(path)
        return 0
    if args.init:
        if os.path.lexists(path):
            return fail(f"{path}: already exists, left as it was (edit it, or remove it first)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, config.STARTER)
        except (OSError, ScenarioError) as exc:
            return fail(f"{path}: not written: {exc}")
        print(f"wrote {path}")
        return 0
    try:
        cfg = config.current(path)
    except config.ConfigError as exc:
        return fail(str(exc))
    file = _source("config file", str(path))
    env = os.environ
    if env.get("TEXTUAL_THEME"):
        theme = (env["TEXTUAL_THEME"], _source("environment", "TEXTUAL_THEME"))
    elif cfg.theme:
        theme = (cfg.theme, file)
    else:
        theme = (config.DEFAULT_THEME, _source("default"))
    # The folder saves really go to, and why (paths.saves_where decides the order), told as a source.
    folder, why = paths.saves_where()
    if why == paths.FROM_ENV.format("WORKBENCH_SAVES"):
        saves = (str(folder), _source("environment", "WORKBENCH_SAVES"))
    elif cfg.saves_folder is not None and folder == cfg.saves_folder:
        saves = (str(folder), file)
    else:  # ./saves when the current folder has one, else the platform's data folder
        saves = (str(folder), _source("default", "" if why == paths.PLATFORM else why))
    currency = (cfg.currency, file) if cfg.currency else (config.default_currency(), _source("default"))
    values = {"theme": theme, "saves_folder": saves, "currency": currency}
    report = {
        "config_file": {
            "path": str(path),
            "exists": cfg.exists,
            **(
                _source("environment", "WORKBENCH_CONFIG")
                if env.get("WORKBENCH_CONFIG")
                else _source("default")
            ),
        },
        **{k: {"value": v, **s} for k, (v, s) in values.items()},
        "keys": {k: {"value": v, **file} for k, v in cfg.keys.items()},
    }
    if args.format == "json":
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return 0
    state = "exists" if cfg.exists else "does not exist: every value is its default"
    came = " (from WORKBENCH_CONFIG)" if env.get("WORKBENCH_CONFIG") else ""
    # The config file's text (a folder, a currency, keys) and paths may hold control characters: shown.
    print(shown(f"config file   {path}{came} ({state})"))
    for key, (value, src) in values.items():
        print(shown(f"{key:<13} {value:<24} {_shown(src)}"))
    if cfg.keys:
        for binding_id, keys in cfg.keys.items():
            print(shown(f"{'keys':<13} {binding_id + ' = ' + keys:<24} {_shown(file)}"))
    else:
        print(f"{'keys':<13} {'(no overrides)':<24} default")
    return 0


def _shown(src: dict[str, str]) -> str:
    if src["source"] == "environment":
        return f"environment ({src['from']})"
    if src["source"] == "config file":
        return "config file"
    return f"default ({src['from']})" if src["from"] else "default"
