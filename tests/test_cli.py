"""The command line: every preset reports, broken files exit 1 with one short message, usage errors 2."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import REPORT_KEYS, ROOT, V2_REPORT_KEYS, run_cli

from workbench.cli.run import main

PRESETS = sorted((ROOT / "presets").glob("*.toml"))
COMPONENTS = {
    "inference",
    "retrieval",
    "review",
    "people",
    "fixed",
    "one_time",
    "retrain",
    "fallback",  # docs/model.md 6.1 and 6.3: every file carries them, zeros where unused
    "pretraining",
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.stem)
def test_report_json_contract(preset, capsys):
    code, out, err = run(capsys, "report", str(preset), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(REPORT_KEYS["top"]) <= set(data)
    assert set(REPORT_KEYS["recommendation"] + V2_REPORT_KEYS["recommendation"]) <= set(
        data["recommendation"]
    )
    H = data["horizon_months"]
    for o in data["options"]:
        assert set(REPORT_KEYS["option"] + V2_REPORT_KEYS["option"]) <= set(o)
        assert len(o["monthly_total"]) == len(o["cumulative"]) == H
        assert set(o["components"]) == COMPONENTS
        assert all(len(v) == H for v in o["components"].values())
        assert o["tco"] == pytest.approx(o["cumulative"][-1])
        for m in range(H):
            assert o["monthly_total"][m] == pytest.approx(sum(o["components"][c][m] for c in COMPONENTS))
    assert [s["step"] for s in data["ladder"]] == [1, 2, 3, 4, 5, 6]
    assert all(
        s["verdict"] in ("go", "not needed", "not yet", "blocked") and s["reasons"] for s in data["ladder"]
    )
    assert data["recommendation"]["option"] in {o["name"] for o in data["options"]}
    ids = {r["id"] for r in data["risks"]}
    assert {"distribution-collapse", "vendor-lock-in", "no-staged-rollout"} <= ids
    assert data["baseline"] in {o["name"] for o in data["options"]}


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_report_other_formats(fmt, capsys):
    code, out, err = run(capsys, "report", str(ROOT / "presets/loan-underwriting-100k.toml"), "--format", fmt)
    assert code == 0, err
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert {"option", "month", "inference", "total", "cumulative"} <= set(rows[0])
        assert len(rows) == 24 * len({r["option"] for r in rows})
    elif fmt == "markdown":
        assert out.startswith("# ") and "Recommendation" in out and "| Option |" in out
    else:
        assert "Recommendation" in out and "Decision ladder" in out


def test_loan_figures_in_report(capsys):
    code, out, _ = run(
        capsys, "report", str(ROOT / "presets/loan-underwriting-100k.toml"), "--format", "json"
    )
    data = json.loads(out)
    api = next(o for o in data["options"] if o["name"] == data["baseline"])
    assert api["components"]["inference"][0] == pytest.approx(22_500.0)


def test_validate_presets(capsys):
    code, out, err = run(capsys, "validate", *map(str, PRESETS))
    assert code == 0, err
    assert out.count(": ok") == len(PRESETS)


def test_presets_lists_descriptions(capsys):
    code, out, _ = run(capsys, "presets")
    assert code == 0
    for p in PRESETS:
        assert p.name in out


BROKEN = {
    "syntax": ("[workload\nrequests_per_day = 5\n", "line 1"),
    "misspelled": ("[workload]\nrequests_per_dya = 5\n", "did you mean 'requests_per_day'"),
    "wrong-type": ('[workload]\nrequests_per_day = "many"\n', "[workload].requests_per_day"),
    "nan": ("[workload]\nrequests_per_day = nan\n", "finite"),
    "negative": ("[workload]\nrequests_per_day = -1\n", ">= 0"),
    "future": ("schema_version = 3\n", "schema_version"),
    "dangling": ('[[options]]\nname = "A"\nmodel = "nope"\n', '[[options]][1] "A".model'),
    "no-throughput": (
        '[[gpus]]\nname = "G"\nhourly = 1.0\n[[options]]\nname = "S"\nserve = "self_hosted"\ngpu = "G"\n',
        "throughput",
    ),
    "two-baselines": (
        '[[api_models]]\nname = "M"\n[[options]]\nname = "A"\nmodel = "M"\nbaseline = true\n'
        '[[options]]\nname = "B"\nmodel = "M"\nbaseline = true\n',
        "two baselines",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_files_exit_1_with_one_message(case, tmp_path, capsys):
    text, expected = BROKEN[case]
    f = tmp_path / f"{case}.toml"
    f.write_text(text)
    for args in (("validate", str(f)), ("report", str(f), "--format", "json")):
        code, out, err = run(capsys, *args)
        assert code == 1
        assert out == ""
        lines = err.strip().splitlines()
        assert 1 <= len(lines) <= 3, err
        assert lines[0].startswith(str(f)), err
        assert expected in err, err
        assert "Traceback" not in err


def test_binary_file(tmp_path, capsys):
    f = tmp_path / "bin.toml"
    f.write_bytes(bytes(range(256)) * 4)
    code, _, err = run(capsys, "validate", str(f))
    assert code == 1 and "not a text file" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["report", "x.toml", "--format", "yaml"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--bogus"])
    assert exc.value.code == 2


def test_help_on_every_command(capsys):
    for args in (["--help"], ["report", "--help"], ["validate", "--help"], ["presets", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 0
        assert "usage" in capsys.readouterr().out


def test_python_dash_m_and_tui_refuses_broken_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("horizon_months = 0\n")
    proc = run_cli(str(bad))
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith(str(bad)) and "horizon_months" in proc.stderr
    proc = run_cli("validate", str(ROOT / "presets/starter.toml"))
    assert proc.returncode == 0
