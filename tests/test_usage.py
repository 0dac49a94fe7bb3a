"""`workbench usage`: the sample logs give back the generator's parameters, --into fills [workload] with
its comments kept, malformed rows are counted, bad input is one line, and memory stays bounded."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import math
import shutil
import subprocess
import sys

import pytest
from helpers import PRESETS, ROOT, run_cli, user_file

from workbench.cli.run import main
from workbench.model import usage as mu
from workbench.model.usage import UsageError
from workbench.store import files, usagelog

LOGS = ROOT / "tests" / "usage_logs"
_spec = importlib.util.spec_from_file_location("make_samples", LOGS / "make_samples.py")
assert _spec and _spec.loader
samples = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(samples)

GENERIC = [
    "--time-col",
    "when",
    "--input-col",
    "prompt",
    "--output-col",
    "completion",
    "--cached-col",
    "cached",
    "--model-col",
    "llm",
]
# How close the import must come to the generator's parameters. Tokens are drawn (lognormal, sigma 0.5)
# over a few hundred requests, so their mean moves by a few percent; the daily volume is exact up to
# rounding; the smallest log (20 requests a day) spreads its hours coarsely, hence the peak's margin.
TOLERANCE = {
    "requests_per_day": 0.03,  # relative
    "input_tokens": 0.08,  # relative
    "output_tokens": 0.08,  # relative
    "cacheable_share": 0.02,  # absolute
    "peak_to_average": 0.25,  # absolute
    "growth_per_month": 0.05,  # absolute
}


def flags(name: str) -> list[str]:
    return GENERIC if name.startswith("generic") else []


def close(key: str, got: float, want: float) -> bool:
    tol = TOLERANCE[key]
    return abs(got - want) <= (
        tol * want if key in ("requests_per_day", "input_tokens", "output_tokens") else tol
    )


# --- the samples give back the generator's parameters ----------------------------------------------------


@pytest.mark.parametrize("name", list(samples.PARAMS))
def test_sample_fills_a_scenario_with_the_generators_workload(name, tmp_path, capsys):
    target = user_file(tmp_path)
    before = files.load(target).workload
    assert main(["usage", str(LOGS / name), "--into", str(target), *flags(name)]) == 0
    out = capsys.readouterr().out
    w = files.load(target).workload
    p = samples.PARAMS[name]
    want = {
        "requests_per_day": p["requests_per_day"],
        "input_tokens": samples.INPUT_MEAN,
        "output_tokens": samples.OUTPUT_MEAN,
        "growth_per_month": samples.GROWTH,
    }
    if p["cached"]:
        want["cacheable_share"] = samples.CACHED_SHARE
    if p["hourly"]:
        want["peak_to_average"] = samples.PEAK_TO_AVERAGE
    for key, value in want.items():
        assert close(key, getattr(w, key), value), (name, key, getattr(w, key), value)
    # what the log cannot support stays as typed, and the output says so
    if not p["cached"]:
        assert w.cacheable_share == before.cacheable_share
        assert "kept cacheable_share as it was" in out
    if not p["hourly"]:
        assert w.peak_to_average == before.peak_to_average
        assert "kept peak_to_average as it was" in out
    assert w.days_per_month == before.days_per_month
    assert w.source.startswith(f"usage log {name} (")
    assert "imported" in w.source


@pytest.mark.parametrize("name", list(samples.PARAMS))
def test_malformed_rows_are_counted_and_skipped(name):
    columns = dict(timestamp="when", input="prompt", output="completion", cached="cached", model="llm")
    s = usagelog.summarize([str(LOGS / name)], columns=columns if name.startswith("generic") else None)
    assert s.skipped == samples.MALFORMED
    assert f"{samples.MALFORMED} malformed rows skipped" in "\n".join(s.lines())


def test_partial_days_are_left_out_and_named():
    s = usagelog.summarize([str(LOGS / "litellm_spend.csv")])
    assert s.dropped_days == (samples.START.date().isoformat(), samples.END.date().isoformat())
    assert s.days == samples.WHOLE_DAYS
    assert "partial days left out" in "\n".join(s.lines())


def test_bucketed_percentiles_say_what_they_are():
    s = usagelog.summarize([str(LOGS / "openai_usage.csv")])
    assert s.bucketed and s.format == "openai"
    assert "over buckets, weighted by requests" in "\n".join(s.lines())
    daily = usagelog.summarize([str(LOGS / "openai_usage.json")])
    assert daily.peak_to_average is None
    assert dict(daily.unsupported)["peak_to_average"].startswith("the log's time buckets are 24 hours wide")


def test_otel_spans_that_are_not_model_calls_are_ignored_not_malformed():
    s = usagelog.summarize([str(LOGS / "otel_spans.jsonl")])
    assert s.format == "otel" and s.skipped == samples.MALFORMED
    assert all(m.model.startswith("gpt-4o") for m in s.by_model)


def test_spend_against_the_scenarios_prices_says_which_models_matched(capsys):
    assert main(["usage", str(LOGS / "litellm_spend.csv"), "--scenario", "starter"]) == 0
    out = capsys.readouterr().out
    assert "matched: gpt-4o-2024-08-06 = GPT-4o" in out
    assert "not matched: gpt-4o-mini" in out
    s = usagelog.summarize([str(LOGS / "litellm_spend.csv")], scenario=files.load(PRESETS / "starter.toml"))
    assert s.spend is not None and s.spend.matched == (("gpt-4o-2024-08-06", "GPT-4o"),)
    # the log has no cached tokens, so the scenario's prices charge all input in full: more than logged
    assert s.spend.computed > s.spend.logged > 0


# --- --into ----------------------------------------------------------------------------------------------


def test_into_keeps_comments_and_records_the_source(tmp_path, capsys):
    target = tmp_path / "mine.toml"
    shutil.copy(PRESETS / "starter.toml", target)
    text = target.read_text()
    comments = [ln.split("#", 1)[1] for ln in text.splitlines() if "#" in ln]
    assert main(["usage", str(LOGS / "openai_usage.csv"), "--into", str(target)]) == 0
    again = target.read_text()
    for c in comments:
        assert c in again
    lines = again.splitlines()
    at = lines.index("[workload]")
    assert lines[at - 1].startswith(usagelog.COMMENT_MARK)
    assert "openai_usage.csv" in lines[at - 1]
    s = files.load(target)
    assert s.workload.source.startswith("usage log openai_usage.csv (openai, ")
    assert s.schema_version == 2
    # a second import replaces the record above [workload], it does not stack another
    assert main(["usage", str(LOGS / "litellm_spend.csv"), "--into", str(target)]) == 0
    third = target.read_text().splitlines()
    assert sum(ln.startswith(usagelog.COMMENT_MARK) for ln in third) == 1
    assert "litellm_spend.csv" in third[third.index("[workload]") - 1]
    capsys.readouterr()


def test_set_workload_raises_a_version_1_file_to_version_2():
    from workbench.edits import data

    v1 = files.load(ROOT / "tests" / "v1_figures" / "starter.toml")
    assert v1.schema_version == 1
    new = data.set_workload(v1, {"requests_per_day": 123.0}, "usage log x.csv")
    assert new.schema_version == 2 and new.workload.requests_per_day == 123 and new.workload.source
    with pytest.raises(data.edit.EditError):
        data.set_workload(v1, {"nonsense": 1.0}, "x")


def test_into_refuses_a_preset(capsys):
    before = (PRESETS / "starter.toml").read_text()
    assert main(["usage", str(LOGS / "litellm_spend.csv"), "--into", "starter"]) == 1
    err = capsys.readouterr().err
    assert "preset" in err and "copy" in err and len(err.strip().splitlines()) == 1
    assert (PRESETS / "starter.toml").read_text() == before


def test_into_refuses_a_file_that_does_not_load(tmp_path, capsys):
    target = tmp_path / "broken.toml"
    target.write_text("[workload]\nrequests_per_day = 'many'\n")
    assert main(["usage", str(LOGS / "litellm_spend.csv"), "--into", str(target)]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert target.read_text() == "[workload]\nrequests_per_day = 'many'\n"


# --- output and errors ------------------------------------------------------------------------------------


def test_json_output_shape(capsys):
    assert main(["usage", str(LOGS / "otel_otlp.jsonl.gz"), "--format-out", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "format",
        "files",
        "rows",
        "skipped",
        "days",
        "requests_per_day",
        "input_tokens",
        "output_tokens",
        "cached_share",
        "peak_to_average",
        "growth_per_month",
        "growth_r2",
        "by_model",
        "spend",
        "workload",
        "source",
        "unsupported",
        "dropped_days",
    ):
        assert key in out, key
    assert set(out["input_tokens"]) == {"mean", "p50", "p90"}
    assert set(out["by_model"][0]) == {
        "model",
        "requests",
        "input_tokens",
        "output_tokens",
        "cached_tokens",
        "spend",
        "share",
    }
    assert out["format"] == "otel" and out["skipped"] == samples.MALFORMED
    assert set(out["workload"]) <= set(mu.WORKLOAD_KEYS)


def test_missing_columns_lists_what_the_file_has(tmp_path, capsys):
    log = tmp_path / "other.csv"
    log.write_text("when,who,words\n2026-01-01,a,5\n")
    assert main(["usage", str(log)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "it has: when, who, words" in err
    assert main(["usage", str(log), "--format", "litellm"]) == 1
    err = capsys.readouterr().err.strip()
    assert "not a LiteLLM spend log" in err and "it has: when, who, words" in err
    assert main(["usage", str(log), "--time-col", "when", "--input-col", "words"]) == 1
    assert "--output-col" in capsys.readouterr().err


@pytest.mark.parametrize(
    "case", ["missing", "empty", "folder", "header only", "bad gzip", "bad json", "only malformed"]
)
def test_bad_logs_are_one_line_and_nothing_is_written(case, tmp_path):
    log = tmp_path / "log.csv"
    if case == "empty":
        log.write_text("")
    elif case == "folder":
        log.mkdir()
    elif case == "header only":
        log.write_text("startTime,prompt_tokens,completion_tokens,model,spend\n")
    elif case == "bad gzip":
        log = tmp_path / "log.csv.gz"
        log.write_bytes(b"not gzip at all")
    elif case == "bad json":
        log = tmp_path / "log.json"
        log.write_text('{\n  "object": "page",\n  "data": [\n')
    elif case == "only malformed":
        log.write_text("startTime,prompt_tokens,completion_tokens\nyesterday,5,5\n2026-01-01,x,1\n")
    target = user_file(tmp_path)
    before = target.read_text()
    r = run_cli("usage", str(log), "--into", str(target))
    assert r.returncode == 1, r
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr and str(log) in r.stderr
    assert target.read_text() == before


# --- the figures from aggregates ------------------------------------------------------------------------


def test_growth_fit_recovers_compound_growth():
    daily = [100 * 1.2 ** (d / 30) for d in range(40)]
    fit = mu.growth_fit(daily)
    assert fit is not None
    g, r2 = fit
    assert g == pytest.approx(0.2, rel=1e-9) and r2 == pytest.approx(1.0)
    assert mu.growth_fit(daily[:10]) is None


def test_weighted_quantile():
    assert mu.weighted_quantile([1, 2, 3], [1, 1, 1], 0.5) == 2
    assert mu.weighted_quantile([10, 1], [1, 9], 0.9) == 1
    assert mu.weighted_quantile([10, 1], [1, 9], 0.95) == 10
    assert mu.weighted_quantile([], [], 0.5) == 0


def test_model_names_match_forgivingly_but_not_across_models():
    rows = ["GPT-4o", "GPT-4o mini", "Claude Sonnet 4"]
    got = mu.match_models(
        ["openai/gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "claude-sonnet-4-20250514", "o3"], rows
    )
    assert got == {
        "openai/gpt-4o-2024-08-06": "GPT-4o",
        "gpt-4o-mini-2024-07-18": "GPT-4o mini",
        "claude-sonnet-4-20250514": "Claude Sonnet 4",
    }


def test_a_log_starting_at_midnight_keeps_its_first_day(tmp_path):
    log = tmp_path / "day.csv"
    start = dt.datetime(2026, 3, 1, 0, 5)
    rows = [
        f"{(start + dt.timedelta(minutes=30 * i)).isoformat()},100,10" for i in range(48 * 2 - 1)
    ]  # 00:05 day one to 23:35 day two
    log.write_text("t,i,o\n" + "\n".join(rows) + "\n")
    s = usagelog.summarize([str(log)], columns={"timestamp": "t", "input": "i", "output": "o"})
    assert s.days == 2 and s.dropped_days == () and s.requests_per_day == pytest.approx(47.5)
    assert s.format == "csv" and s.growth_per_month is None
    assert dict(s.unsupported)["growth_per_month"].startswith("needs 14 whole days")


def test_summarize_rejects_unknown_format_and_mixed_formats():
    with pytest.raises(UsageError, match="--format"):
        usagelog.summarize([str(LOGS / "generic.csv")], fmt="excel")
    with pytest.raises(UsageError, match="different formats"):
        usagelog.summarize([str(LOGS / "litellm_spend.csv"), str(LOGS / "openai_usage.csv")])


# --- memory ----------------------------------------------------------------------------------------------

MEMORY_ROWS = 2_000_000
MEMORY_BOUND_MB = 200
"""Peak resident memory of a process that summarises a 2M-row spend log of about 740 MiB (the columns a
LiteLLM export carries; polars holds it in about as much memory once read whole). Measured about 130 MB
on two cores, about 85 MB of which is Python and polars themselves; the bound leaves room for machines
with more cores (the streaming reader holds a few 1 MiB chunks per thread)."""


def test_memory_stays_bounded_on_a_large_log(tmp_path):
    log = tmp_path / "large.csv"
    samples.write_large(log, MEMORY_ROWS, wide=True)
    size_mb = log.stat().st_size / 2**20
    assert size_mb > 3 * MEMORY_BOUND_MB  # the bound is far below what the file holds
    # The child's own peak: VmHWM starts afresh at exec, while ru_maxrss keeps the high-water mark of
    # the forked copy of this (large) test process from before the exec.
    child = (
        "import resource, sys\n"
        "from workbench.store import usagelog\n"
        "s = usagelog.summarize([sys.argv[1]])\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "    peak = int(status.split()[0])\n"
        "except (OSError, IndexError):\n"
        "    pass\n"
        "print(s.rows, s.skipped, peak)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", child, str(log)], capture_output=True, text=True, cwd=ROOT, timeout=900
    )
    assert r.returncode == 0, r.stderr
    rows, skipped, peak_kb = (int(x) for x in r.stdout.split())
    assert rows == MEMORY_ROWS and skipped == 0
    peak_mb = peak_kb / 1024
    assert peak_mb < MEMORY_BOUND_MB, f"peak {peak_mb:.0f} MB for a {size_mb:.0f} MB log"
    assert math.isfinite(peak_mb)
