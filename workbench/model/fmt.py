"""Numbers formatted for people: $22.5k, $1.43M, 3.0M requests, 95%. Used by reasons, the CLI and the TUI.

Also the one rule for numbers in JSON (`json_number`, `json_safe`): JSON has no infinity and no NaN, so a
figure that overflowed or has no value is null."""

from __future__ import annotations

import math
from typing import Any, TypeVar

N = TypeVar("N", bound=float | int | None)

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def _scaled(x: float, digits: int = 3) -> str:
    """3 significant digits with k/M/B/T suffix: 22500 -> 22.5k, 1432800 -> 1.43M."""
    a = abs(x)
    if a >= 999.5e12:  # past 999T, suffixes stop helping: 1.2e+17 keeps the cell narrow
        return f"{x:.2g}"
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div * 0.9995:
            v = x / div
            decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
            return f"{v:.{decimals}f}{suffix}"
    if a == 0:
        return "0"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 1:
        return f"{x:.2f}".rstrip("0").rstrip(".") if a >= 10 else f"{x:.2f}"
    if a >= 0.01:
        return f"{x:.3f}".rstrip("0") if a >= 0.1 else f"{x:.4f}".rstrip("0")
    return f"{x:.2g}" if a >= 1e-4 else f"{x:.1e}"


def money(x: float | None, currency: str = "USD") -> str:
    """Short money: $22.5k, $1.43M, $0.0075, -$3.2k."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    sym = _SYMBOLS.get(currency, "")
    sign = "-" if x < 0 else ""
    body = _scaled(abs(x))
    return f"{sign}{sym}{body}" if sym else f"{sign}{body} {currency}"


def money_full(x: float | None, currency: str = "USD") -> str:
    """Full precision money for the status line: $22,500.00, $0.007500."""
    if x is None or not math.isfinite(x):
        return "—"
    sym = _SYMBOLS.get(currency, "")
    sign = "-" if x < 0 else ""
    a = abs(x)
    body = (
        f"{a:,.2f}"
        if 1 <= a < 1e15 or a == 0
        else f"{a:.6e}"
        if a >= 1e15
        else f"{a:.6f}"
        if a >= 1e-6
        else f"{a:.3e}"
    )
    return f"{sign}{sym}{body}" if sym else f"{sign}{body} {currency}"


def count(x: float | None) -> str:
    """Short count: 3.0M, 20k, 480."""
    if x is None or not math.isfinite(x):
        return "—"
    a = abs(x)
    if a >= 1e3:
        return _scaled(x, 2 if a < 1e4 or (1e6 <= a < 1e7) else 3)
    if a == int(a):
        return f"{int(x):,}"
    return f"{x:.1f}" if a >= 1 else f"{x:.2g}"


def whole(x: float) -> str:
    """Whole number with separators: 5,000."""
    return f"{x:,.0f}"


def pct(x: float | None, digits: int = 0) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    v = x * 100
    if abs(v) >= 1e6:
        return f"{v:.3g}%"
    if digits == 0 and v != round(v) and abs(v) < 100:
        digits = 1 if abs(v * 10 - round(v * 10)) < 1e-9 else 2
    return f"{v:.{digits}f}%"


def months(n: int | None) -> str:
    if n is None:
        return "never"
    return f"month {n}"


def grouped(x: float | int) -> str:
    """A number as a grid cell shows it, one format for a whole column: thousands always grouped
    (1,500 beside 20,000), six significant digits otherwise (0.0005, 2.5)."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, float) and not math.isfinite(x):
        return "—"
    if isinstance(x, int) or (x.is_integer() and abs(x) < 1e15):
        return f"{int(x):,}"
    if abs(x) >= 1e6:
        return f"{x:,.2f}"
    short = f"{x:.6g}"
    return short if abs(x) < 1000 or "e" in short else f"{float(short):,}"


def wrap_lines(text: str, max_lines: int = 3, min_width: int = 1, longest_word: int = 24) -> list[str]:
    """Text in at most `max_lines` lines, as narrow as that allows but at least `min_width`: a column
    header that shows a whole name. Words are kept whole, except one longer than `longest_word`, which
    is split across lines (never cut)."""
    import textwrap

    words = text.split()
    if not words:
        return [""]
    width = max(min_width, min(max(len(w) for w in words), longest_word), 1)
    while True:
        lines = textwrap.wrap(text, width, break_on_hyphens=False)
        if len(lines) <= max_lines or width >= len(text):
            return lines
        width += 1


def json_number(x: N) -> N | None:
    """x as JSON can hold it: None for infinity and NaN (and for None); any other number unchanged."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def json_safe(obj: Any) -> Any:
    """`json_number` applied to every float inside dicts, lists and tuples (tuples become lists)."""
    if isinstance(obj, float):
        return json_number(obj)
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj
