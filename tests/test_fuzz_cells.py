"""Cells, fuzzed (issue 7, part 2).

Over 10,000 strings typed into cells of every kind (numbers, whole numbers, yes/no, choices, names, free
text) on every table and grid row of a rich preset: random unicode, the classics (`nan`, `inf`, `1e400`,
`--5`, `5%%`, empty, whitespace, 10,000 digits), grammar soup built from the pieces people type (`$`,
`,`, `k`, `%`, `e`), and well-formed numbers whose value is known. A value is accepted only when it is
valid and inside the schema's bounds; otherwise the cell parser or the schema refuses it with a reason
(an EditError of one line), and the scenario is unchanged.
"""

from __future__ import annotations

import math
from collections import Counter

from fuzzing import SPECS, Spec
from helpers import LOAN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.edits import edit
from workbench.model import scenario as sc
from workbench.store import files

BASE = files.load(LOAN)
STRINGS_PER_EXAMPLE = 25
EXAMPLES = 420  # x 25 strings = 10,500 strings per run

SPECIALS = [
    "",
    " ",
    "\t",
    "\n",
    "   \t ",
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "+inf",
    "Infinity",
    "1e400",
    "-1e400",
    "1e309",
    "1e-400",
    "--5",
    "++5",
    "+-5",
    "5%%",
    "%5",
    "5 %",
    "$",
    "$$5",
    "5$",
    "1,5",
    "1,,000",
    ",000",
    "1.2.3",
    "1e",
    "e5",
    "1e+",
    "0x10",
    "0b1",
    "1_000",
    "_",
    "1__0",
    "5k",
    "5K",
    "2.5M",
    "3bn",
    "1t",
    "1kk",
    "k",
    "35%",
    "150%",
    "-0",
    "-0.0",
    "0e0",
    "1" * 10_000,
    "9" * 400,
    "0." + "0" * 5000 + "1",
    "1" + "0" * 308,
    "١٢٣",
    "１２",
    "²",
    "½",
    "∞",
    "\u00a05",
    "5\u200b",
    "\x00",
    "1\x00",
    "\x1b[31m5",
    "yes",
    "no",
    "Y",
    "✓",
    "x",
    "true",
    "TRUE",
    "on",
    "off",
    "api",
    "self",
    "self hosted",
    "self-hosted",
    "on-demand",
    "always",
    "a",
    "s",
    "o",
    "\U0001f600",
    "名前",
    "a" * 201,
    "b" * 5001,
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "None",
    "null",
    "[]",
    "{}",
    "'5'",
    '"5"',
    "5 5",
    "5\n5",
    "€1,500",
    "£2.5k",
    "¥1e6",
    "₹35%",
    "$-5",
    "-$5",
]
PIECES = [
    "-",
    "+",
    "$",
    "€",
    "1",
    "0",
    "9",
    ".",
    ",",
    "e",
    "E",
    "k",
    "M",
    "m",
    "b",
    "bn",
    "t",
    "%",
    " ",
    "_",
    "nan",
    "inf",
    "00",
    "5",
    "e-",
    "e+",
    "\t",
    "ٍ٣",
    "x",
]


@st.composite
def well_formed(draw) -> tuple[str, float]:
    """A number written the way people write it, with the value it means."""
    x = draw(
        st.one_of(
            st.floats(-1e12, 1e12, allow_nan=False),
            st.integers(-(10**6), 10**6).map(float),
            st.sampled_from([0.0, 1.0, 0.5, 1e-9, 100.0, 120.0, 1e6, 1e7, 1e10, 1e11]),
        )
    )
    style = draw(st.sampled_from(["repr", "g", "commas", "dollar", "k", "M", "pct", "exp"]))
    sign = "-" if x < 0 else ""
    a = abs(x)
    if style == "repr":
        return repr(x), x
    if style == "g":
        t = f"{x:.6g}"
        return t, float(t)
    if style == "commas":
        return f"{x:,.2f}", round(x, 2)
    if style == "dollar":
        return f"{sign}${a:,.2f}", float(f"{sign}{a:.2f}")
    if style == "k":
        return f"{sign}{a / 1e3:.3f}k", float(f"{a / 1e3:.3f}") * 1e3 * (-1 if sign else 1)
    if style == "M":
        return f"{sign}{a / 1e6:.4f}M", float(f"{a / 1e6:.4f}") * 1e6 * (-1 if sign else 1)
    if style == "pct":
        return f"{sign}{a * 100:.4f}%", float(f"{a * 100:.4f}") / 100 * (-1 if sign else 1)
    t = f"{x:.3e}"
    return t, float(t)


def soup() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


TEXTS = st.one_of(
    st.sampled_from(SPECIALS),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    soup(),
    well_formed().map(lambda p: p[0]),
)


def _paths(s: sc.Scenario) -> list[tuple[tuple, Spec]]:
    out: list[tuple[tuple, Spec]] = []
    for spec in SPECS[""]:
        if spec.kind != "str" or spec.name in ("name", "description", "currency"):
            if spec.name != "schema_version":
                out.append(((spec.name,), spec))
    for t in sc.TABLES:
        out += [((t, spec.name), spec) for spec in SPECS[t]]
    for t, rows in (("api_models", s.api_models), ("gpus", s.gpus), ("options", s.options)):
        for i in range(len(rows)):
            out += [((t, i, spec.name), spec) for spec in SPECS[t]]
    return out


PATHS = _paths(BASE)


def in_bounds(spec: Spec, v: float) -> bool:
    if not math.isfinite(v):
        return False
    if spec.lo is not None and (v < spec.lo or (spec.lo_open and v == spec.lo)):
        return False
    return spec.hi is None or v <= spec.hi


def check_cell(
    s: sc.Scenario, snapshot: sc.Scenario, path: tuple, spec: Spec, text: str, expected: float | None = None
) -> str:
    """Type `text` into the cell at `path`: 'accepted' or 'rejected', asserting the contract either way."""
    try:
        new = edit.apply_text(s, path, text)
    except edit.EditError as exc:
        msg = str(exc)
        assert msg.strip(), f"{path} {text!r}: refused without a reason"
        assert len(msg.splitlines()) == 1 and len(msg) <= 300, f"{path} {text[:40]!r}: {msg[:400]!r}"
        assert s == snapshot, f"{path} {text[:40]!r}: a refused edit changed the scenario"
        if expected is not None and spec.kind in ("float", "int", "optional_float"):
            ok = in_bounds(spec, expected) and (spec.kind != "int" or float(expected).is_integer())
            assert not ok or _refused_for_other_reason(s, path, expected), (
                f"{path}: {text!r} ({expected}) refused: {msg}"
            )
        return "rejected"
    assert s == snapshot, f"{path} {text!r}: the old scenario was modified in place"
    assert isinstance(new, sc.Scenario)
    value = edit.get_value(new, path)
    if spec.kind in ("float", "int", "optional_float"):
        if value is None:
            assert spec.kind == "optional_float" and not text.strip(), (path, text)
        else:
            assert isinstance(value, int | float) and not isinstance(value, bool)
            assert in_bounds(spec, float(value)), f"{path}: {text!r} accepted as {value}, out of bounds"
            if spec.kind == "int":
                assert isinstance(value, int)
            assert any(ch.isdigit() for ch in text), f"{path}: {text!r} accepted as {value} without a digit"
            low = text.lower()
            assert "nan" not in low and "inf" not in low and "--" not in low and "%%" not in low, (path, text)
            if expected is not None:
                assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12), (
                    path,
                    text,
                    value,
                    expected,
                )
    elif spec.kind == "bool":
        assert isinstance(value, bool)
    elif spec.kind == "choice":
        assert value in spec.choices
    else:
        assert isinstance(value, str)
        assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in value), f"{path}: control characters kept"
        if spec.max_len is not None:
            assert len(value) <= spec.max_len
    if path[-1] not in ("name", "baseline"):  # renames and the baseline radio change other cells on purpose
        rest = files.to_dict(new)
        old = files.to_dict(s)
        if new.schema_version > s.schema_version:
            # a version-2 key set on a version-1 scenario makes it version 2 (docs/model.md section 6):
            # the file then also lists version 2's other keys, at their defaults
            rest = files.to_dict(new.model_copy(update={"schema_version": s.schema_version}))
            rest["schema_version"] = s.schema_version
        _drop(rest, path)
        _drop(old, path)
        assert rest == old, f"{path} {text!r}: other cells changed"
    return "accepted"


def _drop(d: dict, path: tuple) -> None:
    for part in path[:-1]:
        if isinstance(d, dict) and part not in d:
            return  # a table a version-1 file leaves out ([pretraining])
        d = d[part]
    d.pop(path[-1], None)


def _refused_for_other_reason(s: sc.Scenario, path: tuple, value: float) -> bool:
    """A value inside the field's bounds may still break a cross-check (a throughput too small to size
    GPUs, no throughput at all): then the schema refuses the whole scenario, on purpose."""
    try:
        edit.apply(s, path, int(value) if float(value).is_integer() and "min_gpus" in path else value)
    except edit.EditError:
        return True
    return False


def test_random_strings_into_every_cell_kind():
    counts: Counter = Counter()
    snapshot = BASE.model_copy(deep=True)

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        st.sampled_from(PATHS),
        st.lists(TEXTS, min_size=STRINGS_PER_EXAMPLE, max_size=STRINGS_PER_EXAMPLE),
        st.lists(well_formed(), min_size=3, max_size=3),
    )
    def cells(where, texts, numbers):
        path, spec = where
        for text in texts:
            counts[spec.kind, check_cell(BASE, snapshot, path, spec, text)] += 1
        if spec.kind in ("float", "int", "optional_float"):
            for text, value in numbers:
                counts[spec.kind, check_cell(BASE, snapshot, path, spec, text, value)] += 1

    cells()
    total = counts.total()
    print(
        f"\nfuzzed cell strings: {total}; "
        + ", ".join(f"{k}/{o}: {n}" for (k, o), n in sorted(counts.items()))
    )
    assert total >= 10_000
    assert counts["float", "accepted"] > 500 and counts["float", "rejected"] > 500, counts


def test_the_classics_are_refused_with_a_reason():
    path = ("workload", "requests_per_day")
    for text in ["nan", "inf", "1e400", "--5", "5%%", "", "   ", "1" * 10_000, "-5", "١٢٣x"]:
        try:
            edit.apply_text(BASE, path, text)
        except edit.EditError as exc:
            assert str(exc)
        else:
            raise AssertionError(f"{text[:20]!r} accepted")
    assert edit.apply_text(BASE, path, "2.5M").workload.requests_per_day == 2.5e6
    assert edit.apply_text(BASE, path, "$1,500").workload.requests_per_day == 1500
    assert edit.apply_text(BASE, ("workload", "cacheable_share"), "35%").workload.cacheable_share == 0.35


def test_risk_notes_refuse_control_characters_and_huge_text():
    for note in ["\x00", "a\x1bb", "x" * 2001]:
        try:
            edit.set_risk(BASE, "model-drift", note=note)
        except edit.EditError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            raise AssertionError(repr(note[:10]))
    assert edit.set_risk(BASE, "model-drift", note="tab\there\nand a line").risk_state("model-drift").note


def test_typed_numbers_are_the_nearest_double_to_what_was_typed():
    """Exponent, suffix and percent are one decimal exponent: 2.010e+02 is 201 (a whole number), not
    200.99999999999997, and 2.01k is 2010 (found by the fuzzer above)."""
    for text, value in [
        ("2.010e+02", 201.0),
        ("2.01k", 2010.0),
        ("1.1M", 1.1e6),
        ("33.3%", 0.333),
        ("$1,500", 1500.0),
        ("-2.5e-3k", -2.5),
        (".5k", 500.0),
    ]:
        assert edit.parse_number(text) == value, text
    s = files.load(LOAN)
    assert edit.apply_text(s, ("options", 2, "min_gpus"), "2.010e+02").options[2].min_gpus == 201
