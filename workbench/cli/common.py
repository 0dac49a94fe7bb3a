"""What every command module shares: the registry of handlers, the invalid-input exit, whole-number flags."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import JustifyMethod
    from rich.table import Table

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str) -> Callable:
    def register(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = fn
        return fn

    return register


def fail(message: str) -> int:
    """Exit code 1 with the one-line message on stderr (every command's invalid-input path)."""
    print(message, file=sys.stderr)
    return 1


def whole(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum` ('10000', '10,000', '1e4')."""

    def parse(text: str) -> int:
        try:
            x = float(text.replace(",", "").replace("_", ""))
        except ValueError:
            x = float("nan")
        if not (x == x and abs(x) < 1e18 and x == int(x)):
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
        if x < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {minimum}")
        return int(x)

    return parse


def add_columns(table: Table, *columns: tuple[str, JustifyMethod]) -> None:
    """Rich table columns from (header, justify) pairs: the tables of report, prices and gpus."""
    for header, justify in columns:
        table.add_column(header, justify=justify)
