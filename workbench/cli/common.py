"""What every command module shares: the registry of handlers, the invalid-input exit, whole-number flags."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

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
    """Exit code 1 with the one-line message on stderr (every command's invalid-input path). A message
    quotes file names and text from files: their control characters are shown, not sent (fmt.shown)."""
    from workbench.model.fmt import shown

    print(shown(message, lines=True), file=sys.stderr)
    return 1


@contextmanager
def ctrl_c_flag() -> Iterator[threading.Event]:
    """Ctrl+C (SIGINT) sets the yielded flag instead of raising KeyboardInterrupt, for a long run that
    asks it between steps and stops cleanly. polars chains its own handler in front of ours: during a
    query it raises KeyboardInterrupt itself, or a garbled error, and may print an "Exception ignored"
    traceback from inside (pola-rs/polars#23988); such unraisable KeyboardInterrupts are dropped here,
    and the caller reads any error while the flag is set as the interrupt. The previous handler and
    hook are back on leaving; off the main thread (no signals there) the flag is simply never set."""
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    hook = sys.unraisablehook

    def unraisable(info: Any) -> None:
        if not isinstance(info.exc_value, KeyboardInterrupt):
            hook(info)

    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: flag.set())
    sys.unraisablehook = unraisable
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = hook


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


def fit(table: Table, width: int) -> Table:
    """Fit a table to `width` columns without cutting a figure.

    Right-justified columns hold figures: they never wrap or take an ellipsis (a cut figure reads as
    another number), and their headers wrap word by word to the figures' width instead. Text columns
    wrap at spaces, in two lines if the borders and padding can make room. If the table does not fit, the borders and then the padding give way:
    box lines become spaces, then cells are one space apart. A text column narrower than its longest
    word folds that word rather than cutting it.
    """
    import textwrap

    from rich import box
    from rich.cells import cell_len
    from rich.text import Text

    from workbench.model import fmt

    def plain(cell: object) -> str:
        return cell.plain if isinstance(cell, Text) else str(cell)

    def longest(texts: list[str], words: bool) -> int:
        parts = [p for t in texts for line in t.split("\n") for p in (line.split() if words else [line])]
        return max((cell_len(p) for p in parts), default=0)

    # Figure headers wrap only when the table would not fit with them on one line (a sweep of six
    # columns has the room; a report of nine at 80 columns does not).
    columns = [(col, [plain(c) for c in col._cells], plain(col.header)) for col in table.columns]
    whole = sum(max(longest(cells, False), cell_len(header)) + 3 for _, cells, header in columns)
    wrap_headers = whole + 1 > width
    mins = []
    for col, cells, header in columns:
        if col.justify == "right":
            widest = max(longest(cells, False), longest([header], wrap_headers))
            if wrap_headers:
                col.header = textwrap.fill(header, widest, break_long_words=False)
            col.no_wrap = True
            col.min_width = widest
            mins.append(widest)
        else:
            col.overflow = "fold"  # a word longer than the column (a model id) folds, whole, onto lines
            # room for each cell in two lines: a name over three or four lines is hard to read
            two = max((len(line) for c in cells for line in fmt.wrap_lines(c, 2)), default=0)
            mins.append(max(two, longest(cells, True), longest([header], True)))

    def needed() -> int:
        n = len(table.columns)
        pad = table.padding[1] + table.padding[3]
        edges = 2 if table.show_edge and table.box else 0
        dividers = n - 1 if table.box else 0
        outer_pad = 0 if table.pad_edge else pad
        return sum(mins) + n * pad - outer_pad + edges + dividers

    if needed() > width:
        table.box, table.show_edge = box.SIMPLE_HEAD, False
    if needed() > width:
        table.padding = (0, 0, 0, 0)
    return table
