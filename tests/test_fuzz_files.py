"""Files, fuzzed (issue 7, part 1).

Hypothesis writes well over 1,000 scenario files per run: valid ones with values drawn over the schema's
whole ranges (edges, subnormals, the bounds themselves), and broken ones: truncated, wrong types,
unknown keys, out-of-range and non-finite numbers, deep nesting, huge strings and keys, invalid UTF-8,
NUL bytes, random bytes. Each file must either load into a scenario whose analysis is finite everywhere,
or be refused with one short ScenarioError (1-3 lines); any other exception fails the test. A file that
loads also saves and loads back to the same scenario.
"""

from __future__ import annotations

import copy
import datetime
import math
import tempfile
from collections import Counter
from pathlib import Path

import tomli_w
from fuzzing import NUMERIC_PATHS, SPECS, Spec, assert_finite, scenario_dicts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.model import scenario as sc
from workbench.model.report import analyze
from workbench.store import files

FILES_PER_RUN = 1200
FILES_PER_SCENARIO = 4
MAX_LINE = 420  # characters of one message line after the file name
BROKEN = (
    "truncated",
    "wrong_type",
    "unknown_key",
    "out_of_range",
    "non_finite",
    "deep_nesting",
    "huge_string",
    "huge_key",
    "invalid_utf8",
    "nul_byte",
    "random_bytes",
    "line_noise",
    "big_integer",
    "table_shape",
    "uncertainty",
)
WRONG = [
    "text",
    5,
    5.5,
    True,
    [1, 2],
    {"a": 1},
    datetime.date(2024, 1, 1),
    datetime.time(1, 2),
    [],
    {},
    10**30,
]


def check_file(path: Path) -> str:
    """'loaded' or 'refused'; fails on any other outcome."""
    try:
        s = files.load(path)
    except files.ScenarioError as exc:
        msg = str(exc)
        lines = msg.splitlines()
        assert 1 <= len(lines) <= 3, msg[:2000]
        for line in lines:
            assert line.startswith(str(path)), line[:300]
            assert 0 < len(line) - len(str(path)) <= MAX_LINE, (
                f"message line of {len(line)} chars: {line[:300]}"
            )
        assert "Traceback" not in msg
        return "refused"
    assert isinstance(s, sc.Scenario)
    assert files.parse_text(files.dump_text(s), "saved") == s, "saving and loading again changed the scenario"
    assert_finite(analyze(s))
    return "loaded"


def _locations(data: dict) -> list[tuple[dict, str, Spec | None]]:
    """Every (container, key, spec) an edit could hit: top level, tables, and rows of the grids."""
    out: list[tuple[dict, str, Spec | None]] = [(data, s.name, s) for s in SPECS[""]]
    for t in sc.TABLES:
        tab = data.setdefault(t, {})
        out += [(tab, s.name, s) for s in SPECS[t]]
    for t in sc.LISTS:
        for row in data.get(t, []):
            out += [(row, s.name, s) for s in SPECS[t]]
    return out


def mutant(draw, data: dict, kind: str) -> bytes:
    """The scenario `data` as file bytes, broken in the way `kind` names (data is changed in place)."""
    if kind == "valid":
        return tomli_w.dumps(data).encode()
    if kind == "truncated":
        raw = tomli_w.dumps(data).encode()
        return raw[: draw(st.integers(0, max(0, len(raw) - 1)))]
    if kind in ("wrong_type", "out_of_range", "non_finite"):
        locs = _locations(data)
        if kind != "wrong_type":
            locs = [
                loc
                for loc in locs
                if loc[2] is not None and loc[2].kind in ("float", "int", "optional_float")
            ]
        box, key, spec = draw(st.sampled_from(locs))
        if kind == "wrong_type":
            box[key] = draw(st.sampled_from(WRONG))
        elif kind == "non_finite":
            box[key] = draw(st.sampled_from([float("nan"), float("inf"), float("-inf")]))
        else:
            lo, hi = spec.lo, spec.hi
            choices = [1e308, -1e308, 10**18]
            if lo is not None:
                choices += [lo - 1, lo - 1e-9, math.nextafter(lo, -math.inf)] + ([lo] if spec.lo_open else [])
            if hi is not None:
                choices += [hi + 1, hi * 10 + 1, math.nextafter(hi, math.inf)]
            value = draw(st.sampled_from(choices))
            box[key] = int(value) if spec.kind == "int" and float(value).is_integer() else value
        return tomli_w.dumps(data).encode()
    if kind == "unknown_key":
        box, _, _ = draw(st.sampled_from(_locations(data)))
        key = draw(st.sampled_from(["requests_per_dya", "x", "ñame", "Name", "horizon", "inputs", "gpu_s"]))
        box[key] = draw(st.sampled_from([1, "a", True, 2.5]))
        return tomli_w.dumps(data).encode()
    if kind == "deep_nesting":
        depth = draw(st.sampled_from([50, 200, 999, 1000, 5000, 50000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a=", "}")]))
        value = opener * depth + "1" + closer * depth
        where = draw(st.sampled_from(["", "[workload]\nrequests_per_day = ", "x = "]))
        prefix = "" if where else "a = "
        return (prefix + where + value + "\n").encode() + tomli_w.dumps(data).encode()[
            : draw(st.integers(0, 200))
        ]
    if kind == "huge_string":
        n = draw(st.sampled_from([201, 5001, 100_000, 1_000_000]))
        box, key, spec = draw(
            st.sampled_from([loc for loc in _locations(data) if loc[2] and loc[2].kind == "str"])
        )
        box[key] = draw(st.sampled_from(["x", "é", "\U0001f600", "\\"])) * n
        return tomli_w.dumps(data).encode()
    if kind == "huge_key":
        box, _, _ = draw(st.sampled_from(_locations(data)))
        box["k" * draw(st.sampled_from([100, 10_000, 300_000]))] = 1
        return tomli_w.dumps(data).encode()
    if kind in ("invalid_utf8", "nul_byte"):
        raw = tomli_w.dumps(data).encode()
        at = draw(st.integers(0, len(raw)))
        bad = (
            draw(
                st.sampled_from(
                    [b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"]
                )
            )
            if kind == "invalid_utf8"
            else b"\x00"
        )
        return raw[:at] + bad + raw[at:]
    if kind == "random_bytes":
        return draw(st.binary(max_size=400))
    if kind == "line_noise":
        lines = tomli_w.dumps(data).splitlines()
        for _ in range(draw(st.integers(1, 4))):
            if not lines:
                break
            i = draw(st.integers(0, len(lines) - 1))
            op = draw(st.sampled_from(["dup", "drop", "garble", "swap"]))
            if op == "dup":
                lines.insert(i, lines[i])
            elif op == "drop":
                del lines[i]
            elif op == "garble":
                line = lines[i]
                j = draw(st.integers(0, len(line)))
                lines[i] = line[:j] + draw(st.text(max_size=3)) + line[j:]
            else:
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines).encode("utf-8", "surrogatepass")
    if kind == "big_integer":
        table, spec = draw(st.sampled_from(NUMERIC_PATHS))
        digits = draw(st.sampled_from([20, 400, 4300, 4301, 10_000]))
        head = f"[{table}]\n" if table in sc.TABLES else ""
        if table in sc.LISTS:
            head = f"[[{table}]]\nname = 'x'\n"
        return (head + f"{spec.name} = {'9' * digits}\n").encode()
    if kind == "table_shape":
        t = draw(st.sampled_from(list(sc.TABLES) + list(sc.LISTS)))
        shape = draw(st.sampled_from(["scalar", "array", "aot", "table_for_list", "string_list"]))
        data[t] = {
            "scalar": 5,
            "array": [1, 2, 3],
            "aot": [{"a": 1}],
            "table_for_list": {"name": "x"},
            "string_list": ["a", "b"],
        }[shape]
        return tomli_w.dumps(data).encode()
    if kind == "uncertainty":  # the [uncertainty] table: input paths as keys, ranges as values
        names = [("options", o["name"]) for o in data["options"]] + [
            ("api_models", m["name"]) for m in data["api_models"]
        ]
        paths = [
            "workload.requests_per_day",
            "market.api_price_change_per_year",
            "nope",
            "",
            "workload.",
            "options[zz].ops_fte",
            "options[",
            "p" * 300,
            "workload.requests_per_day.low",
        ]
        paths += [f"{t}[{n}].{f}" for t, n in names for f in ("fixed_monthly", "input", "name")]
        number = st.one_of(
            st.floats(), st.integers(-(10**20), 10**20), st.sampled_from([0.0, 1.0, 1e10, -1.0])
        )
        ranges = {}
        for _ in range(draw(st.integers(1, 4))):
            r = {"low": draw(number), "high": draw(number)}
            if draw(st.booleans()):
                r["dist"] = draw(st.sampled_from(["uniform", "triangular", "lognormal", "normal", 3]))
            if draw(st.booleans()):
                r["mode"] = draw(number)
            ranges[draw(st.sampled_from(paths))] = draw(st.sampled_from([r, r, 5, "x", {}]))
        data["uncertainty"] = ranges
        return tomli_w.dumps(data).encode()
    raise AssertionError(kind)


def test_fuzzed_files_load_or_are_refused_in_one_short_message():
    counts: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        @settings(
            max_examples=FILES_PER_RUN // FILES_PER_SCENARIO,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.data())
        def one_scenario(data):
            # One drawn scenario gives FILES_PER_SCENARIO files: itself, then broken copies of it.
            scenario = data.draw(scenario_dicts(), label="scenario")
            kinds = ["valid"] + [
                data.draw(st.sampled_from(BROKEN), label="kind") for _ in range(FILES_PER_SCENARIO - 1)
            ]
            for kind in kinds:
                raw = mutant(data.draw, copy.deepcopy(scenario), kind)
                path = folder / f"fuzz-{counts.total()}.toml"
                path.write_bytes(raw)
                outcome = check_file(path)
                counts[kind, outcome] += 1
                path.unlink()

        one_scenario()
    total = counts.total()
    print(f"\nfuzzed files: {total}; " + ", ".join(f"{k}/{o}: {n}" for (k, o), n in sorted(counts.items())))
    assert total >= 1000
    loaded = sum(n for (_, o), n in counts.items() if o == "loaded")
    refused = total - loaded
    assert loaded >= 250 and refused >= 500, counts  # both sides of the contract were exercised


def test_fixed_nasty_files(tmp_path):
    """The cases that broke the loader once, kept as plain examples."""
    cases = {
        "int-over-4300-digits": "horizon_months = " + "1" * 5000,
        "huge-unknown-key": "[workload]\n" + "x" * 200_000 + " = 1\n",
        "huge-row-name": '[[options]]\nname = "' + "y" * 100_000 + '"\nmodel = "none"\n',
        "nan-volume": "[workload]\nrequests_per_day = nan\n",
        "inf-horizon": "horizon_months = inf\n",
        "deep": "a = " + "[" * 100_000 + "]" * 100_000,
        "over-5MB": 'description = "' + "x" * 6_000_000 + '"\n',
    }
    for name, text in cases.items():
        p = tmp_path / f"{name}.toml"
        p.write_text(text)
        assert check_file(p) == "refused", name
