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


# --- Text from a file, as it may be shown ---------------------------------------------------------
# A scenario's free text (a description, a source, a note) may hold characters that steer a terminal
# (ESC starts an escape sequence, BEL, the C1 CSI 0x9b) or reorder what is read (the bidi overrides and
# isolates). Names and labels refuse them at validation (scenario.Label); free text keeps them, exactly,
# and `shown` replaces each with a visible placeholder wherever the text is shown.

_C0_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()
_JOINER = "\u200d"  # the zero-width joiner: emoji sequences (👩‍💻) need it, and it steers nothing
UNKNOWN_MARK = "\ufffd"
"""The placeholder of a control character that has no Control Picture (C1, bidi and format controls)."""


def is_control(ch: str) -> bool:
    """A control character (Unicode category Cc: C0, DEL, C1) or a format character (Cf: the bidi
    overrides and isolates, zero-width spaces and marks, the BOM), but the zero-width joiner."""
    import unicodedata

    return ch != _JOINER and unicodedata.category(ch) in ("Cc", "Cf")


def first_control(text: str) -> str | None:
    """The first control character of a text, or None (printable text is answered without a scan)."""
    if text.isprintable():
        return None
    return next((ch for ch in text if is_control(ch)), None)


def control_name(ch: str) -> str:
    """A control character as a message names it: 'ESC, U+001B', 'U+202E RIGHT-TO-LEFT OVERRIDE'."""
    import unicodedata

    code = f"U+{ord(ch):04X}"
    if ord(ch) < 0x20:
        return f"{_C0_NAMES[ord(ch)]}, {code}"
    if ch == "\x7f":
        return f"DEL, {code}"
    name = unicodedata.name(ch, "")
    return f"{code} {name}" if name else code


def placeholder(ch: str) -> str:
    """The visible stand-in of a control character: its Unicode Control Picture (ESC -> ␛, BEL -> ␇,
    DEL -> ␡), or � for one that has none (C1 controls, bidi and format characters)."""
    if ord(ch) < 0x20:
        return chr(0x2400 + ord(ch))
    return "\u2421" if ch == "\x7f" else UNKNOWN_MARK


def shown(text: str, lines: bool = False) -> str:
    """Text from a file as every output shows it: each control character replaced by its placeholder.
    `lines`: the output has room for several lines, and a newline stays a newline (every other control,
    a tab and a carriage return included, is replaced)."""
    if text.isprintable():
        return text
    return "".join(placeholder(ch) if is_control(ch) and not (lines and ch == "\n") else ch for ch in text)


def escaped(text: str, keep: str = "") -> str:
    """Text with each character that is not printable written as its Python escape (ESC as `\\x1b`, a
    newline as `\\n`): for a message or a log that quotes it on one line and must not drive the terminal
    that shows it. `keep`: characters left as they are (a log's newlines and tabs)."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() or c in keep else c.encode("unicode_escape").decode("ascii") for c in text
    )


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:  # JSON spells a character past the BMP as its UTF-16 surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_text(obj: Any, indent: int | None = 2) -> str:
    """JSON of obj, non-ASCII text as itself (€, ★), but every control character escaped (\\u001b,
    \\u009b, \\u202e): a string keeps its exact value, and no raw control byte reaches a terminal.
    json.dumps escapes C0 itself; DEL, C1 and the format characters are escaped here (only inside strings
    can they occur)."""
    import json

    text = json.dumps(obj, indent=indent, allow_nan=False, ensure_ascii=False)
    if not any(is_control(ch) and ch != "\n" for ch in text):
        return text
    return "".join(_json_escape(ch) if is_control(ch) and ch != "\n" else ch for ch in text)
