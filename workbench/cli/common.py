"""What every command module shares: the registry of handlers, the invalid-input exit, whole-number flags."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

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
