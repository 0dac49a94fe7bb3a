"""Generate the sample usage logs in this folder: `python tests/usage_logs/make_samples.py`.

Every file is drawn from the stated parameters below with a fixed seed, so running this again writes the
same bytes (the Parquet file aside, whose metadata names the polars version). tests/test_usage.py reads
the same parameters (PARAMS, per file) and checks `workbench usage` gives them back.

The traffic: requests per day follow R x (1 + g)^((t - middle) / 30 days), so R is the mean daily volume
over the log's whole days and g the compound growth per month; each day's count is exact (rounded) and
is spread over the hours by a daily profile whose busiest hour (PEAK_HOUR, UTC) is PEAK_TO_AVERAGE times
the mean hour. Tokens per request are lognormal (sigma 0.5) with the stated means; a cached share of each
request's input is drawn uniformly in [share - 0.15, share + 0.15]. Each log starts and ends mid-day (two
partial days, which the summary leaves out) and carries a few malformed rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import math
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

START = dt.datetime(2026, 9, 1, 9, 30, tzinfo=dt.UTC)  # mid-morning: the first day is partial
WHOLE_DAYS = 15  # whole days between the partial first and last days
END = dt.datetime.combine(START.date() + dt.timedelta(days=WHOLE_DAYS + 1), dt.time(13, 0), dt.UTC)
GROWTH = 0.10  # per month (30 days)
PEAK_HOUR = 14
PEAK_TO_AVERAGE = 1.8
INPUT_MEAN = 1200.0
OUTPUT_MEAN = 300.0
CACHED_SHARE = 0.35
SIGMA = 0.5  # of log tokens
MALFORMED = 3  # per file

# Prices of the models the logs name, per 1M tokens (input, cached input, output): OpenAI list prices as
# the starter preset has them for GPT-4o (2025); GPT-4o mini at $0.15 / $0.075 / $0.60 (OpenAI pricing
# page, https://openai.com/api/pricing/, read 2025).
PRICES = {"gpt-4o-2024-08-06": (2.50, 1.25, 10.00), "gpt-4o-mini": (0.15, 0.075, 0.60)}
MODELS = (("gpt-4o-2024-08-06", 0.3), ("gpt-4o-mini", 0.7))

# What each file should give back (requests_per_day differs: OpenAI's export is bucketed, so it can
# carry far more traffic in few rows).
PARAMS = {
    "openai_usage.csv": {"requests_per_day": 2000, "cached": True, "hourly": True},
    "openai_usage.json": {"requests_per_day": 2000, "cached": True, "hourly": False},
    "litellm_spend.csv": {"requests_per_day": 40, "cached": False, "hourly": True},
    "otel_spans.jsonl": {"requests_per_day": 20, "cached": True, "hourly": True},
    "otel_otlp.jsonl.gz": {"requests_per_day": 40, "cached": True, "hourly": True},
    "generic.csv": {"requests_per_day": 40, "cached": True, "hourly": True},
    "generic.parquet": {"requests_per_day": 40, "cached": True, "hourly": True},
}


def profile() -> list[float]:
    """Weights of the 24 hours: 1 + A cos(2 pi (h - peak) / 24), mean 1, so the peak hour is 1 + A."""
    a = PEAK_TO_AVERAGE - 1
    return [1 + a * math.cos(2 * math.pi * (h - PEAK_HOUR) / 24) for h in range(24)]


def middle() -> dt.datetime:
    first_whole = dt.datetime.combine(START.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
    return first_whole + dt.timedelta(days=WHOLE_DAYS / 2)


def request_times(per_day: float) -> list[dt.datetime]:
    """The time of every request from START to END. Each day's count follows the growth curve, rounded
    with the remainder carried to the next day (so the trend survives small volumes); within the day the
    k-th request sits at quantile (k + offset) / n of the hourly profile, the offset turning by the golden
    ratio each day, so the average day has the profile's shape."""
    weights = profile()
    cdf = [sum(weights[:h]) / 24 for h in range(25)]
    out: list[dt.datetime] = []
    day = START.date()
    expected = emitted = 0.0
    index = 0
    while day <= END.date():
        noon = dt.datetime.combine(day, dt.time(12), dt.UTC)
        expected += per_day * (1 + GROWTH) ** ((noon - middle()).total_seconds() / 86400 / 30)
        n = round(expected) - round(emitted)
        emitted += n
        offset = (index * 0.6180339887) % 1.0
        midnight = dt.datetime.combine(day, dt.time(), dt.UTC)
        for k in range(n):
            u = (k + offset) / n
            h = next(i for i in range(24) if cdf[i + 1] >= u)
            within = (u - cdf[h]) / (cdf[h + 1] - cdf[h])
            when = midnight + dt.timedelta(hours=h + within)
            if START <= when < END:
                out.append(when)
        day += dt.timedelta(days=1)
        index += 1
    return out


def lognormal(rng: random.Random, mean: float) -> int:
    return max(1, round(rng.lognormvariate(math.log(mean) - SIGMA**2 / 2, SIGMA)))


def requests(per_day: float, seed: int) -> list[dict]:
    """One dict per request: time, model, input, cached, output tokens, spend."""
    rng = random.Random(seed)
    out = []
    for when in request_times(per_day):
        model = rng.choices([m for m, _ in MODELS], [w for _, w in MODELS])[0]
        tin, tout = lognormal(rng, INPUT_MEAN), lognormal(rng, OUTPUT_MEAN)
        cached = round(tin * min(max(rng.uniform(CACHED_SHARE - 0.15, CACHED_SHARE + 0.15), 0), 1))
        p_in, p_cached, p_out = PRICES[model]
        spend = ((tin - cached) * p_in + cached * p_cached + tout * p_out) / 1e6
        out.append({"when": when, "model": model, "in": tin, "cached": cached, "out": tout, "spend": spend})
    out.sort(key=lambda r: r["when"])
    return out


def iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# --- the formats -------------------------------------------------------------------------------------


def openai_buckets(per_day: float, seed: int, hourly: bool) -> list[dict]:
    """OpenAI usage API results: one per (bucket, model), token sums and num_model_requests."""
    rng = random.Random(seed)
    sums: dict[tuple[dt.datetime, str], dict] = {}
    for when in request_times(per_day):
        key_time = when.replace(minute=0, second=0, microsecond=0)
        if not hourly:  # daily buckets: the API returns whole days, so the partial first and last are absent
            if when.date() in (START.date(), END.date()):
                continue
            key_time = dt.datetime.combine(when.date(), dt.time(), dt.UTC)
        model = rng.choices([m for m, _ in MODELS], [w for _, w in MODELS])[0]
        tin, tout = lognormal(rng, INPUT_MEAN), lognormal(rng, OUTPUT_MEAN)
        cached = round(tin * rng.uniform(CACHED_SHARE - 0.15, CACHED_SHARE + 0.15))
        s = sums.setdefault((key_time, model), {"in": 0, "out": 0, "cached": 0, "n": 0})
        s["in"] += tin
        s["out"] += tout
        s["cached"] += cached
        s["n"] += 1
    width = dt.timedelta(hours=1) if hourly else dt.timedelta(days=1)
    rows = []
    for (when, model), s in sorted(sums.items()):
        rows.append(
            {
                "start_time": int(when.timestamp()),
                "end_time": int((when + width).timestamp()),
                "input_tokens": s["in"],
                "output_tokens": s["out"],
                "input_cached_tokens": s["cached"],
                "num_model_requests": s["n"],
                "model": model,
            }
        )
    return rows


def write_openai_csv(path: Path) -> None:
    rows = openai_buckets(PARAMS[path.name]["requests_per_day"], 1, hourly=True)
    fields = [
        "start_time",
        "end_time",
        "project_id",
        "num_model_requests",
        "user_id",
        "api_key_id",
        "model",
        "batch",
        "input_tokens",
        "output_tokens",
        "input_cached_tokens",
        "input_audio_tokens",
        "output_audio_tokens",
    ]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fields, lineterminator="\n")
    w.writeheader()
    for i, r in enumerate(rows):
        row = {
            **{f: "" for f in fields},
            **r,
            "batch": "False",
            "input_audio_tokens": 0,
            "output_audio_tokens": 0,
        }
        w.writerow(row)
        if i in (10, 200, 400):  # malformed: tokens that are not numbers, a negative count, no time
            bad = dict(row)
            bad[("input_tokens", "num_model_requests", "start_time")[(i // 200) % 3]] = ("n/a", "-4", "")[
                (i // 200) % 3
            ]
            w.writerow(bad)
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_openai_json(path: Path) -> None:
    """The usage API's page shape, daily buckets: {object: page, data: [{object: bucket, ... results}]}."""
    rows = openai_buckets(PARAMS[path.name]["requests_per_day"], 2, hourly=False)
    buckets: dict[int, dict] = {}
    for r in rows:
        b = buckets.setdefault(
            r["start_time"],
            {"object": "bucket", "start_time": r["start_time"], "end_time": r["end_time"], "results": []},
        )
        res = {
            "object": "organization.usage.completions.result",
            **{k: v for k, v in r.items() if "time" not in k},
        }
        res.update({"project_id": None, "user_id": None, "api_key_id": None, "batch": None})
        b["results"].append(res)
    data = [buckets[k] for k in sorted(buckets)]
    # The daily buckets cover whole days (00:00 to 00:00): START and END's partial days are absent here,
    # as the API returns whole-day buckets. Malformed results: a missing output_tokens, text tokens.
    data[3]["results"].append(
        {"object": "organization.usage.completions.result", "input_tokens": 5, "num_model_requests": 1}
    )
    data[5]["results"].append(
        {
            "object": "organization.usage.completions.result",
            "input_tokens": "x",
            "output_tokens": 1,
            "num_model_requests": 1,
        }
    )
    data[7]["results"].append(
        {
            "object": "organization.usage.completions.result",
            "input_tokens": 1,
            "output_tokens": -1,
            "num_model_requests": 1,
        }
    )
    page = {"object": "page", "data": data, "has_more": False, "next_page": None}
    path.write_text(json.dumps(page, indent=2) + "\n", encoding="utf-8")


def write_litellm(path: Path) -> None:
    rows = requests(PARAMS[path.name]["requests_per_day"], 3)
    fields = [
        "request_id",
        "call_type",
        "api_key",
        "spend",
        "total_tokens",
        "prompt_tokens",
        "completion_tokens",
        "startTime",
        "endTime",
        "model",
        "model_group",
        "custom_llm_provider",
        "cache_hit",
    ]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fields)
    for i, r in enumerate(rows):
        end = r["when"] + dt.timedelta(milliseconds=800 + r["out"] * 20)
        row = [
            f"chatcmpl-{i:06d}",
            "acompletion",
            "88dc28d0f030c55e",
            f"{r['spend']:.8f}",
            r["in"] + r["out"],
            r["in"],
            r["out"],
            r["when"].strftime("%Y-%m-%d %H:%M:%S.%f"),
            end.strftime("%Y-%m-%d %H:%M:%S.%f"),
            r["model"],
            r["model"].split("-2024")[0],
            "openai",
            "False",
        ]
        w.writerow(row)
        if i in (5, 300, 500):
            bad = list(row)
            bad[(5, 7, 6)[(i // 250) % 3]] = ("lots", "yesterday", "")[(i // 250) % 3]
            w.writerow(bad)
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_otel_flat(path: Path) -> None:
    """Flat spans, one JSON object per line, attributes as an object (as many tracing tools export)."""
    rows = requests(PARAMS[path.name]["requests_per_day"], 4)
    lines = []
    for i, r in enumerate(rows):
        span = {
            "name": f"chat {r['model']}",
            "trace_id": f"{i:032x}",
            "span_id": f"{i:016x}",
            "start_time": iso(r["when"]),
            "end_time": iso(r["when"] + dt.timedelta(seconds=2)),
            "attributes": {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": r["model"].split("-2024")[0],
                "gen_ai.response.model": r["model"],
                "gen_ai.usage.input_tokens": r["in"],
                "gen_ai.usage.output_tokens": r["out"],
                "gen_ai.usage.cache_read.input_tokens": r["cached"],
            },
        }
        lines.append(json.dumps(span, separators=(",", ":")))
        if i in (7, 150, 300):
            lines.append(lines[-1][: len(lines[-1]) // 2])  # a line cut short
        if i == 20:  # a span that is not a model call: ignored, not malformed
            lines.append(json.dumps({"name": "GET /health", "start_time": iso(r["when"]), "attributes": {}}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_otel_otlp(path: Path) -> None:
    """OTLP-JSON, as the OpenTelemetry Collector's file exporter writes it: one ExportTraceServiceRequest
    per line (here one per hour), attributes as [{key, value: {stringValue | intValue}}], int64 as text."""
    rows = requests(PARAMS[path.name]["requests_per_day"], 5)
    by_hour: dict[dt.datetime, list[dict]] = {}
    for r in rows:
        by_hour.setdefault(r["when"].replace(minute=0, second=0, microsecond=0), []).append(r)
    lines = []
    for n, (_, group) in enumerate(sorted(by_hour.items())):
        spans = []
        for i, r in enumerate(group):
            ns = int(r["when"].timestamp() * 1e9)
            attrs = [
                {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                {"key": "gen_ai.request.model", "value": {"stringValue": r["model"]}},
                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": str(r["in"])}},
                {"key": "gen_ai.usage.output_tokens", "value": {"intValue": str(r["out"])}},
                {"key": "gen_ai.usage.cache_read.input_tokens", "value": {"intValue": str(r["cached"])}},
            ]
            if n in (3, 40, 90) and i == 0:
                attrs[2] = {"key": "gen_ai.usage.input_tokens", "value": {"stringValue": "unknown"}}
            spans.append(
                {
                    "traceId": f"{n:016x}{i:016x}",
                    "spanId": f"{i:016x}",
                    "name": f"chat {r['model']}",
                    "kind": 3,
                    "startTimeUnixNano": str(ns),
                    "endTimeUnixNano": str(ns + 2_000_000_000),
                    "attributes": attrs,
                }
            )
        batch = {
            "resourceSpans": [
                {
                    "resource": {
                        "attributes": [{"key": "service.name", "value": {"stringValue": "support-bot"}}]
                    },
                    "scopeSpans": [
                        {"scope": {"name": "opentelemetry.instrumentation.openai_v2"}, "spans": spans}
                    ],
                }
            ]
        }
        lines.append(json.dumps(batch, separators=(",", ":")))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
        gz.write(data)


def generic_rows() -> list[list]:
    rows = requests(PARAMS["generic.csv"]["requests_per_day"], 6)
    out: list[list] = []
    for i, r in enumerate(rows):
        out.append([r["when"].strftime("%Y-%m-%d %H:%M:%S"), r["model"], r["in"], r["out"], r["cached"]])
        if i in (9, 99, 499):
            bad = list(out[-1])
            bad[(2, 3, 0)[(i // 99) % 3]] = ("?", "-", "31/02/2026")[(i // 99) % 3]
            out.append(bad)
    return out


GENERIC_HEADER = ["when", "llm", "prompt", "completion", "cached"]


def write_generic_csv(path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(GENERIC_HEADER)
    w.writerows(generic_rows())
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_generic_parquet(path: Path) -> None:
    import polars as pl

    rows = generic_rows()
    frame = pl.DataFrame(
        {name: [str(r[i]) for r in rows] for i, name in enumerate(GENERIC_HEADER)},
        schema=dict.fromkeys(GENERIC_HEADER, pl.String),
    )
    frame.write_parquet(path, compression="zstd", statistics=False)


WRITERS = {
    "openai_usage.csv": write_openai_csv,
    "openai_usage.json": write_openai_json,
    "litellm_spend.csv": write_litellm,
    "otel_spans.jsonl": write_otel_flat,
    "otel_otlp.jsonl.gz": write_otel_otlp,
    "generic.csv": write_generic_csv,
    "generic.parquet": write_generic_parquet,
}


def main(folder: Path = HERE) -> int:
    for name, write in WRITERS.items():
        write(folder / name)
        print(f"{name}: {(folder / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))


# --- a large log, for the memory test and the benchmark (not committed) -----------------------------------

LARGE_DAYS = 60
KEYS = [f"{i:064x}" for i in range(1, 40)]  # hashed API keys, as LiteLLM stores them
METADATA = (
    '{"user_api_key_alias": "support-bot", "user_api_key_team_id": "team-$1", "requester_ip_address": '
    '"10.0.3.$1", "tags": ["prod", "support"], "model_group": "gpt-4o"}'
)


def write_large(path: Path, rows: int, seed: int = 7, chunk: int = 250_000, wide: bool = False) -> None:
    """A LiteLLM-shaped spend log of `rows` requests over LARGE_DAYS days from START (times in order),
    written a chunk at a time so the writer's own memory stays small. `wide` adds the other columns a
    spend-log export carries (request id, hashed key, end time, user, metadata): about 380 bytes a row
    instead of 60, as real exports are."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    span_us = LARGE_DAYS * 86400 * 10**6
    start_us = int(START.timestamp() * 10**6)
    names = np.array([m for m, _ in MODELS])
    weights = np.array([w for _, w in MODELS])
    with open(path, "wb") as fh:
        for first in range(0, rows, chunk):
            n = min(chunk, rows - first)
            # evenly spaced times (in order), jittered within their slot
            slots = (np.arange(first, first + n) + rng.random(n)) / rows
            times = pl.Series((start_us + slots * span_us).astype(np.int64)).cast(pl.Datetime("us"))
            tin = (
                np.maximum(1, rng.lognormal(np.log(INPUT_MEAN) - SIGMA**2 / 2, SIGMA, n))
                .round()
                .astype(np.int64)
            )
            tout = (
                np.maximum(1, rng.lognormal(np.log(OUTPUT_MEAN) - SIGMA**2 / 2, SIGMA, n))
                .round()
                .astype(np.int64)
            )
            model = names[rng.choice(len(names), n, p=weights)]
            frame = pl.DataFrame(
                {
                    "startTime": times.dt.strftime("%Y-%m-%d %H:%M:%S%.6f"),
                    "model": model,
                    "prompt_tokens": tin,
                    "completion_tokens": tout,
                    "spend": (tin * 2.5 + tout * 10.0) / 1e6,
                }
            )
            if wide:
                ids = np.arange(first, first + n)
                frame = frame.with_columns(
                    pl.Series("request_id", ids).cast(pl.String).str.zfill(12).str.replace(r"^", "chatcmpl-"),
                    pl.lit("acompletion").alias("call_type"),
                    pl.Series("api_key", [KEYS[i] for i in rng.integers(0, len(KEYS), n)]),
                    (times + pl.duration(milliseconds=1500))
                    .dt.strftime("%Y-%m-%d %H:%M:%S%.6f")
                    .alias("endTime"),
                    pl.Series("user", ids % 997).cast(pl.String).str.replace(r"^", "customer-"),
                    pl.Series("metadata", ids % 997).cast(pl.String).str.replace(r"^(.*)$", METADATA),
                )
            frame.write_csv(fh, include_header=first == 0, float_precision=8)
