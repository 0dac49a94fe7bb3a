"""Reading API usage logs: OpenAI's usage export, LiteLLM spend logs, OpenTelemetry GenAI spans, any CSV.

`summarize(paths)` reads one or more logs with polars, lazily and in bounded memory (the streaming
engine; the aggregates it keeps are per hour and model, and a histogram of tokens per request), and
returns a workbench.model.usage.UsageSummary. A format is recognised by its columns (the names and where
they come from are in the README, "Usage logs in"):

- CSV, TSV and Parquet are scanned as they are; JSON Lines of flat objects are scanned as lines and
  their fields picked with JSON paths, so a broken line is one malformed row, not a failed read;
- nested JSON (an OpenAI usage API page, its time buckets, OTLP-JSON spans with `attributes` arrays) is
  flattened into a temporary CSV first, a line at a time (a JSON document over many lines is read whole);
- a `.gz` file is decompressed as a stream into a temporary file (polars reads gzip only whole, in
  memory), and every temporary file is removed before `summarize` returns.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from workbench.model import usage as mu
from workbench.model._polars import pl
from workbench.model.usage import UsageError
from workbench.store import reading

if TYPE_CHECKING:
    from workbench.model.scenario import Scenario

FORMATS = ("auto", "openai", "litellm", "otel", "csv")
COLUMN_KEYS = ("timestamp", "input", "output", "cached", "model", "spend", "requests")
"""The keys of `columns`: what each named column of a generic CSV holds."""

# Column names of each known export, most specific first; a key a format lacks is left out.
KNOWN: dict[str, dict[str, tuple[str, ...]]] = {
    "openai": {
        "timestamp": ("start_time", "start_time_iso"),
        "end": ("end_time", "end_time_iso"),
        "input": ("input_tokens",),
        "output": ("output_tokens",),
        "cached": ("input_cached_tokens",),
        "requests": ("num_model_requests",),
        "model": ("model",),
    },
    "litellm": {
        "timestamp": ("startTime",),
        "input": ("prompt_tokens",),
        "output": ("completion_tokens",),
        "model": ("model", "model_group"),
        "spend": ("spend",),
    },
    "otel": {
        "timestamp": (
            "startTimeUnixNano",
            "start_time_unix_nano",
            "start_time",
            "startTime",
            "start",
            "timestamp",
            "Timestamp",
        ),
        "input": ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
        "output": ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
        "cached": ("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"),
        "model": ("gen_ai.response.model", "gen_ai.request.model"),
    },
}
REQUIRED = ("timestamp", "input", "output")
LABELS = {
    "openai": "OpenAI usage export",
    "litellm": "LiteLLM spend log",
    "otel": "OpenTelemetry GenAI spans",
}
# polars' streaming CSV reader holds a few chunks per thread; at its default chunk size a large log held
# about 380 MB of them on two cores, at 1 MiB about 100 MB, at no cost in speed (benchmarks/run.py,
# usage section). Set only when the user has not chosen a size.
CSV_CHUNK_BYTES = 1 << 20
SAMPLE_LINES = 200  # JSON lines read to learn a file's fields and shape
# Bounds on what is held or written while reading a log (CSV, Parquet and flat JSON Lines are streamed
# by polars and need none): a .gz is decompressed to a temporary file of at most UNGZIP_BYTES (a gzip
# bomb stops there); a JSON document that is not JSON Lines is parsed whole, so it may be at most
# JSON_DOCUMENT_BYTES; a JSON line read in Python (the sample, nested shapes) at most LINE_CHARS long.
UNGZIP_BYTES = 4 << 30
JSON_DOCUMENT_BYTES = 256 << 20
LINE_CHARS = 64 << 20
HOUR = dt.timedelta(hours=1)
JSON_OK = "__json_ok"  # a JSON line that parses (a line cut short is a malformed row)


# --- the files -------------------------------------------------------------------------------------


def _open_check(path: str) -> None:
    """One line for a file that cannot be a log: missing, not a regular file (a folder, a FIFO, a device
    such as /dev/zero, or a symlink to one: never opened), unreadable, empty."""
    p = Path(path)
    try:
        size = reading.regular_size(p)
    except reading.NotRegularFile as exc:
        raise UsageError(f"{path}: {exc} (a usage log file: CSV, JSON Lines, Parquet, or .gz)") from None
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file (a usage log file)") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if size == 0:
        raise UsageError(f"{path}: empty file (a usage log with a header and rows)")
    if not os.access(p, os.R_OK):
        raise UsageError(f"{path}: permission denied (a readable file)")


def _ungzip(path: str, stack: ExitStack) -> str:
    """A .gz file decompressed as a stream into a temporary file (removed when `stack` closes)."""
    inner = Path(path[: -len(".gz")]).suffix or ".csv"
    fd, tmp = tempfile.mkstemp(prefix="workbench-usage-", suffix=inner)
    stack.callback(_remove, tmp)
    try:
        with gzip.open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            written = 0
            while chunk := src.read(1 << 20):
                dst.write(chunk)
                written += len(chunk)
                if written > UNGZIP_BYTES:
                    raise UsageError(
                        f"{path}: decompresses to over {UNGZIP_BYTES:,} bytes (a .gz log under that; "
                        "a larger log can be read uncompressed, which is streamed)"
                    )
    except (OSError, EOFError, zlib.error) as exc:
        raise UsageError(f"{path}: not a readable gzip file ({exc})") from None
    if os.path.getsize(tmp) == 0:
        raise UsageError(f"{path}: empty file (a usage log with a header and rows)")
    return tmp


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _kind(path: str) -> str:
    """csv, tsv, parquet or json, from the name, else from the first bytes."""
    suffix = Path(path).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "json"
    if suffix == ".tsv":
        return "tsv"
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return "json"
    return "csv"


# --- JSON: flat lines scanned by polars, nested shapes flattened in Python ------------------------------


_NOT_JSON = object()  # what _json_lines yields for a line that does not parse


def _bounded_lines(fh: TextIO) -> Iterator[str]:
    """The file's lines, each at most LINE_CHARS long: a longer one (a file with no line breaks, say) is
    skipped in pieces and comes out as one line that is not JSON."""
    while line := fh.readline(LINE_CHARS):
        if len(line) < LINE_CHARS or line.endswith("\n"):
            yield line
            continue
        while (rest := fh.readline(LINE_CHARS)) and not rest.endswith("\n"):
            pass
        yield "\x00"  # not JSON


def _json_lines(fh: TextIO) -> Iterator[Any]:
    """Each non-blank line of a JSON Lines file, parsed; _NOT_JSON for a line that is not JSON."""
    for line in _bounded_lines(fh):
        text = line.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            yield json.loads(text)
        except json.JSONDecodeError:
            yield _NOT_JSON


def _sample_json(path: str) -> tuple[list[dict], bool]:
    """The first objects of a JSON Lines file, and whether the file is JSON Lines at all (False: one JSON
    document over many lines)."""
    out: list[dict] = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, value in enumerate(_json_lines(fh)):
            if value is _NOT_JSON and n == 0:
                return [], False  # a document spread over lines (`{` alone on the first)
            if isinstance(value, dict):
                out.append(value)
            if len(out) >= SAMPLE_LINES:
                break
    return out, True


def _nested(obj: dict) -> bool:
    return any(k in obj for k in ("resourceSpans", "results", "data", "scopeSpans", "spans"))


def _attrs(value: Any) -> dict[str, Any]:
    """Span attributes as a dict: OTLP's [{key, value: {intValue | stringValue | ...}}] or a plain dict."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    out: dict[str, Any] = {}
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and "key" in item:
                v = item.get("value")
                if isinstance(v, dict):
                    v = next(
                        (v[k] for k in ("intValue", "doubleValue", "stringValue", "boolValue") if k in v),
                        None,
                    )
                out[str(item["key"])] = v
    return out


def _rows_of(value: Any, bucket: dict | None = None) -> Iterator[dict[str, Any]]:
    """Flat rows from a JSON value of any of the shapes the formats use."""
    if isinstance(value, list):
        for item in value:
            yield from _rows_of(item, bucket)
        return
    if not isinstance(value, dict):
        return
    if "resourceSpans" in value:
        for rs in value.get("resourceSpans") or []:
            for ss in (rs or {}).get("scopeSpans") or (rs or {}).get("instrumentationLibrarySpans") or []:
                yield from _rows_of({"spans": (ss or {}).get("spans") or []})
        return
    if "scopeSpans" in value:
        for ss in value.get("scopeSpans") or []:
            yield from _rows_of({"spans": (ss or {}).get("spans") or []})
        return
    if "spans" in value and isinstance(value["spans"], list):
        yield from _rows_of(value["spans"])
        return
    if isinstance(value.get("data"), list):  # an OpenAI usage API page
        yield from _rows_of(value["data"])
        return
    if isinstance(value.get("results"), list):  # one time bucket of it
        times = {
            k: value[k] for k in ("start_time", "end_time", "start_time_iso", "end_time_iso") if k in value
        }
        for result in value["results"]:
            if isinstance(result, dict):
                yield {**times, **result}
        return
    row = {k: v for k, v in value.items() if k != "attributes" and not isinstance(v, dict | list)}
    row.update(_attrs(value.get("attributes")))
    yield row


def _flatten_json(
    path: str, names: Sequence[str], lines: bool, stack: ExitStack, shown: str
) -> tuple[str, int, set[str]]:
    """Nested JSON flattened into a temporary CSV of the columns `names` (one row per usage record).
    Returns (the CSV, lines that were not JSON, the fields seen); messages name the file as `shown` (the
    .gz the user gave rather than its decompressed copy). JSON Lines are read a line at a time;
    a single JSON document is read whole."""
    import csv

    fd, tmp = tempfile.mkstemp(prefix="workbench-usage-", suffix=".csv")
    stack.callback(_remove, tmp)
    bad = 0
    seen: set[str] = set()
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(names)

        def emit(value: Any) -> None:
            for row in _rows_of(value):
                if len(seen) < 500:
                    seen.update(row)
                writer.writerow(["" if row.get(n) is None else row.get(n) for n in names])

        with open(path, encoding="utf-8", errors="replace") as fh:
            if lines:
                for value in _json_lines(fh):
                    if value is _NOT_JSON:
                        bad += 1
                    else:
                        emit(value)
            else:
                size = os.fstat(fh.fileno()).st_size
                if size > JSON_DOCUMENT_BYTES:
                    raise UsageError(
                        f"{shown}: a JSON document of {size:,} bytes is read whole (one under "
                        f"{JSON_DOCUMENT_BYTES:,} bytes, or JSON Lines, which are streamed)"
                    )
                try:
                    emit(json.load(fh))
                except json.JSONDecodeError as exc:
                    raise UsageError(f"{shown}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return tmp, bad, seen


def _json_keys(sample: Iterable[dict]) -> list[str]:
    """The fields of flat JSON lines, attributes' fields included (as their own names)."""
    keys: dict[str, None] = {}
    for obj in sample:
        for k, v in obj.items():
            if k == "attributes":
                for a in _attrs(v):
                    keys.setdefault(a)
            elif not isinstance(v, dict | list):
                keys.setdefault(k)
    return list(keys)


def _json_path(key: str, top: set[str]) -> str:
    quoted = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"$['{quoted}']" if key in top else f"$.attributes['{quoted}']"


# --- one file: its columns, recognised ---------------------------------------------------------------


class _Source:
    """One log file, ready to scan: a LazyFrame of raw columns (any type) and the names it has."""

    def __init__(self, shown: str, frame: Any, columns: list[str], bad_lines: int = 0) -> None:
        self.shown = shown
        self.frame = frame
        self.columns = columns
        self.bad_lines = bad_lines


def _all_known_names(columns: dict[str, str] | None) -> list[str]:
    names: dict[str, None] = {}
    for spec in KNOWN.values():
        for cands in spec.values():
            for c in cands:
                names.setdefault(c)
    for c in (columns or {}).values():
        names.setdefault(c)
    return list(names)


def _open(path: str, columns: dict[str, str] | None, stack: ExitStack) -> _Source:
    _open_check(path)
    real = _ungzip(path, stack) if path.lower().endswith(".gz") else path
    kind = _kind(real)
    try:
        if kind == "parquet":
            frame = pl.scan_parquet(real)
            return _Source(path, frame, list(frame.collect_schema().names()))
        if kind in ("csv", "tsv"):
            frame = pl.scan_csv(
                real,
                separator="\t" if kind == "tsv" else ",",
                infer_schema=False,
                truncate_ragged_lines=True,
                encoding="utf8-lossy",
            )
            return _Source(path, frame, list(frame.collect_schema().names()))
    except Exception as exc:  # polars raises its own errors for a file it cannot parse
        raise UsageError(f"{path}: cannot read as {kind.upper()}: {_first_line(exc)}") from None
    sample, lines = _sample_json(real)
    if lines and not sample:
        raise UsageError(f"{path}: no JSON object in the first lines (JSON Lines of usage records)")
    if not lines or any(_nested(o) for o in sample):
        names = _all_known_names(columns)
        tmp, bad, seen = _flatten_json(real, names, lines, stack, shown=path)
        frame = pl.scan_csv(tmp, infer_schema=False)
        present = [n for n in names if n in seen]
        return _Source(path, frame.select(present) if present else frame, present or sorted(seen), bad)
    keys = _json_keys(sample)
    top = {k for o in sample for k in o}
    raw = pl.scan_csv(
        real,
        has_header=False,
        separator="\x01",
        quote_char=None,
        new_columns=["__line"],
        infer_schema=False,
        encoding="utf8-lossy",
    )
    line = pl.col("__line").str.strip_chars()
    frame = raw.filter(line.str.len_bytes() > 0).select(
        line.str.json_path_match("$").is_not_null().alias(JSON_OK),
        *(line.str.json_path_match(_json_path(k, top)).alias(k) for k in keys),
    )
    return _Source(path, frame, keys)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _pick(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    have = set(columns)
    return next((c for c in candidates if c in have), None)


def _column_label(name: str) -> str:
    """A column name as a message shows it: on one line, and short (a file that is not a table, read as
    CSV, has its first line as one long column name)."""
    flat = " ".join(name.split())
    return repr(flat[:37] + "...") if len(flat) > 40 else flat


def _detect(src: _Source, fmt: str, columns: dict[str, str] | None) -> tuple[str, dict[str, str]]:
    """(format, logical key -> column) for one file, or UsageError listing the columns it has."""
    has = ", ".join(_column_label(c) for c in src.columns[:25]) + (
        f", ... ({len(src.columns)} in all)" if len(src.columns) > 25 else ""
    )
    if columns:
        missing = [columns[k] for k in columns if columns[k] not in src.columns]
        if missing:
            raise UsageError(f"{src.shown}: no column {', '.join(missing)} (it has: {has})")
        absent = [k for k in REQUIRED if k not in columns]
        if fmt in ("auto", "csv") and absent:
            flags = ", ".join(f"--{_FLAG[k]}" for k in absent)
            raise UsageError(f"{src.shown}: a generic log needs {flags} as well (it has: {has})")
    if fmt in ("auto", "csv") and columns:
        return "csv", dict(columns)
    if fmt == "csv":
        raise UsageError(
            f"{src.shown}: --format csv needs --time-col, --input-col and --output-col (it has: {has})"
        )
    order = [fmt] if fmt != "auto" else list(KNOWN)
    for name in order:
        spec = KNOWN[name]
        found = {k: c for k, cands in spec.items() if (c := _pick(src.columns, cands)) is not None}
        if name == "openai" and "requests" not in found:
            continue
        if all(k in found for k in REQUIRED):
            found.update(columns or {})
            return name, found
    if fmt != "auto":
        need = ", ".join(KNOWN[fmt][k][0] for k in (*REQUIRED, *(("requests",) if fmt == "openai" else ())))
        raise UsageError(f"{src.shown}: not a {LABELS[fmt]} (needs {need}; it has: {has})")
    raise UsageError(
        f"{src.shown}: no usage columns recognised (it has: {has}); expected OpenAI's start_time, "
        "input_tokens, output_tokens, num_model_requests, LiteLLM's startTime, prompt_tokens, "
        "completion_tokens, or OpenTelemetry's gen_ai.usage.input_tokens, gen_ai.usage.output_tokens; "
        "or name them with --time-col, --input-col, --output-col"
    )


_FLAG = {
    "timestamp": "time-col",
    "input": "input-col",
    "output": "output-col",
    "cached": "cached-col",
    "model": "model-col",
    "spend": "spend-col",
    "requests": "requests-col",
}


# --- normalising: one frame of the same columns for every format -------------------------------------


def _number(col: str, dtype: Any) -> tuple[Any, Any]:
    """(value as Float64, the cell is empty) for a raw column of any type; text that is not a number
    reads as null (and is malformed when the cell is not empty)."""
    c = pl.col(col)
    if dtype == pl.String:
        text = c.str.strip_chars()
        return text.cast(pl.Float64, strict=False), text.is_null() | (text.str.len_bytes() == 0)
    return c.cast(pl.Float64, strict=False), c.is_null()


def _epoch(x: Any) -> Any:
    """Unix time in seconds, milliseconds, microseconds or nanoseconds (told apart by size) -> UTC."""
    ns = (
        pl.when(x > 1e17).then(x).when(x > 1e14).then(x * 1e3).when(x > 1e11).then(x * 1e6).otherwise(x * 1e9)
    )
    return ns.cast(pl.Int64, strict=False).cast(pl.Datetime("ns", "UTC")).dt.cast_time_unit("us")


_TIME_FORMATS = [
    f"%Y-%m-%d{sep}%H:%M:%S%.f{zone}" for sep in ("T", " ") for zone in ("Z", "%:z", "%z", "", " UTC")
]


def _time_parsers(c: Any) -> list[Any]:
    """Each way a text timestamp may be written: Unix time, then ISO 8601 with a `T` or a space, with
    `Z`, an offset or no zone (read as UTC), then a bare date."""
    out = [_epoch(c.cast(pl.Float64, strict=False))]
    for fmt in _TIME_FORMATS:
        if "%z" in fmt or "%:z" in fmt:
            parsed = c.str.to_datetime(fmt, strict=False, time_zone="UTC")
        else:
            parsed = c.str.to_datetime(fmt, strict=False).dt.replace_time_zone("UTC")
        out.append(parsed.dt.cast_time_unit("us"))
    out.append(c.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"))
    return out


def _time(frame: Any, col: str, dtype: Any) -> Any:
    """The timestamp column as UTC datetimes (null where it does not parse). Text is read with the way
    of writing that parses most of a sample of the file, and the others only for what that one misses."""
    if isinstance(dtype, pl.Datetime):
        c = pl.col(col).dt.cast_time_unit("us")
        return c.dt.replace_time_zone("UTC") if dtype.time_zone is None else c.dt.convert_time_zone("UTC")
    if isinstance(dtype, pl.Date):
        return pl.col(col).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    if dtype.is_numeric():
        return _epoch(pl.col(col).cast(pl.Float64))
    text = pl.col(col) if dtype == pl.String else pl.col(col).cast(pl.String)
    parsers = _time_parsers(text)
    sample = frame.select(text.alias(col)).head(1000).collect()
    parsed = sample.select(p.alias(f"p{i}") for i, p in enumerate(parsers))
    hits = [parsed[f"p{i}"].is_not_null() for i in range(len(parsers))]
    best = max(range(len(parsers)), key=lambda i: int(hits[i].sum()))
    extra = [p for i, p in enumerate(parsers) if i != best and (hits[i] & ~hits[best]).any()]
    return pl.coalesce([parsers[best], *extra]) if extra else parsers[best]


def _normalised(src: _Source, fmt: str, names: dict[str, str]) -> Any:
    """ts, end, n, tin, tout, tcached, model, spend, ok: the same columns whatever the format.

    Two steps, so each raw column is parsed once: the values (and whether each cell was empty), then
    from those whether the row is malformed. An empty optional cell (cached tokens, spend) reads as 0;
    an empty required one, text that is not a number, a negative or infinite count, or a time that does
    not parse makes the row malformed."""
    schema = src.frame.collect_schema()
    parsed: list[Any] = [_time(src.frame, names["timestamp"], schema[names["timestamp"]]).alias("ts")]
    if "end" in names:
        parsed.append(_time(src.frame, names["end"], schema[names["end"]]).alias("end"))
    else:
        parsed.append(pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("end"))
    fixes: list[Any] = []
    bad = pl.col("ts").is_null()
    for key, out, required in (
        ("input", "tin", True),
        ("output", "tout", True),
        ("requests", "n", True),
        ("cached", "tcached", False),
        ("spend", "spend", False),
    ):
        if key not in names:
            parsed.append(pl.lit(1.0 if key == "requests" else None, dtype=pl.Float64).alias(out))
            continue
        value, empty = _number(names[key], schema[names[key]])
        parsed += [value.alias(out), empty.alias(f"__empty_{out}")]
        v, e = pl.col(out), pl.col(f"__empty_{out}")
        wrong = (v.is_null() & ~e) | (v < 0).fill_null(False) | ~v.is_finite().fill_null(True)
        bad = bad | (wrong | e if required else wrong)
        if not required:
            fixes.append(v.fill_null(0.0))
    if "model" in names:
        parsed.append(pl.col(names["model"]).cast(pl.String).str.strip_chars().fill_null("").alias("model"))
    else:
        parsed.append(pl.lit("").alias("model"))
    json_ok = pl.col(JSON_OK) if JSON_OK in schema else pl.lit(True)
    parsed.append(json_ok.alias(JSON_OK))
    frame = src.frame
    if fmt == "otel":  # spans that are not model calls (no token counts at all) are not usage rows
        keep = [pl.col(names[k]).is_not_null() for k in ("input", "output")]
        frame = frame.filter(keep[0] | keep[1] | ~json_ok)
    ok = (~bad.fill_null(True) & pl.col(JSON_OK)).alias("ok")
    return (
        frame.select(parsed)
        .with_columns(ok, *fixes)
        .select("ts", "end", "n", "tin", "tout", "tcached", "model", "spend", "ok")
    )


# --- summarising -----------------------------------------------------------------------------------


def summarize(
    paths: Sequence[str],
    fmt: str = "auto",
    columns: dict[str, str] | None = None,
    scenario: Scenario | None = None,
) -> mu.UsageSummary:
    """Read the logs and summarise them (see workbench.model.usage for what each figure means).

    `columns` names the columns of a generic log (keys COLUMN_KEYS; timestamp, input and output needed);
    `scenario` gives the prices for the spend check and its days per month for the growth."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if not paths:
        raise UsageError("give one or more usage log files")
    columns = {k: v for k, v in (columns or {}).items() if v}
    unknown = [k for k in columns if k not in COLUMN_KEYS]
    if unknown:
        raise UsageError(f"columns: unknown key {unknown[0]!r} (one of {', '.join(COLUMN_KEYS)})")
    os.environ.setdefault("POLARS_CSV_CHUNK_SIZE", str(CSV_CHUNK_BYTES))
    with ExitStack() as stack:
        sources = [_open(str(p), columns, stack) for p in paths]
        detected = [_detect(s, fmt, columns) for s in sources]
        kinds = {f for f, _ in detected}
        if len(kinds) > 1:
            which = ", ".join(f"{s.shown}: {f}" for s, (f, _) in zip(sources, detected, strict=True))
            raise UsageError(f"the logs are of different formats ({which}); summarise them one at a time")
        name = kinds.pop()
        frames = [_normalised(s, f, n) for s, (f, n) in zip(sources, detected, strict=True)]
        frame = pl.concat(frames, how="vertical_relaxed") if len(frames) > 1 else frames[0]
        bucketed = any("requests" in n for _, n in detected)
        has_cached = all("cached" in n for _, n in detected)
        has_spend = all("spend" in n for _, n in detected)
        try:
            aggregates = _aggregate(frame, bucketed)
        except UsageError:
            raise
        except Exception as exc:  # polars: a file that changed under us, a value it cannot read
            raise UsageError(f"{', '.join(map(str, paths))}: cannot read: {_first_line(exc)}") from None
    bad_lines = sum(s.bad_lines for s in sources)
    return _summary(
        name,
        [str(p) for p in paths],
        aggregates,
        bad_lines,
        bucketed=bucketed,
        has_cached=has_cached,
        has_spend=has_spend,
        scenario=scenario,
    )


def _aggregate(frame: Any, bucketed: bool) -> dict[str, Any]:
    """The few small aggregates every figure comes from. Each is a streaming group-by whose state is as
    large as its groups (hours x models; distinct token counts), never as the file; they run one after
    another, so the reader's buffers are held for one at a time."""
    ok = pl.col("ok")
    hourly = frame.group_by(
        pl.when(ok).then(pl.col("ts").dt.truncate("1h")).alias("hour"),
        pl.when(ok).then(pl.col("model")).alias("model"),
    ).agg(
        pl.len().alias("rows"),
        pl.col("n").sum(),
        pl.col("tin").sum(),
        pl.col("tout").sum(),
        pl.col("tcached").sum(),
        pl.col("spend").sum(),
        pl.col("ts").min().alias("first"),
        pl.col("ts").max().alias("last"),
        pl.col("end").max().alias("last_end"),
    )
    per = frame.filter(ok & (pl.col("n") > 0)).select(
        pl.col("n").alias("w"),
        (pl.col("tin") / pl.col("n")).round(1).alias("in"),
        (pl.col("tout") / pl.col("n")).round(1).alias("out"),
    )
    hist = (
        per.unpivot(on=["in", "out"], index="w", variable_name="key", value_name="v")
        .group_by("key", "v")
        .agg(pl.col("w").sum())
    )
    out: dict[str, Any] = {"step": None}
    groups = hourly.collect(engine="streaming")
    out["hourly"] = groups.filter(pl.col("hour").is_not_null())
    bad = groups.filter(pl.col("hour").is_null())["rows"].sum()
    good = out["hourly"]
    out["meta"] = {
        "rows": int(good["rows"].sum()),
        "bad": int(bad or 0),
        "first": good["first"].min(),
        "last": good["last"].max(),
        "last_end": good["last_end"].max(),
    }
    both = hist.collect(engine="streaming")
    for key in ("in", "out"):
        out[key] = both.filter(pl.col("key") == key)
    if bucketed:
        out["step"] = frame.filter(ok).select(pl.col("ts").unique().sort().diff().min()).collect().item()
    return out


def _summary(
    fmt: str,
    files: list[str],
    agg: dict[str, Any],
    bad_lines: int,
    *,
    bucketed: bool,
    has_cached: bool,
    has_spend: bool,
    scenario: Scenario | None,
) -> mu.UsageSummary:
    meta = agg["meta"]
    rows, bad = int(meta["rows"] or 0), int(meta["bad"] or 0) + bad_lines
    if rows == 0:
        more = f" ({bad:,} malformed rows skipped)" if bad else ""
        raise UsageError(f"{', '.join(files)}: no usage rows{more}")
    hourly = agg["hourly"]
    first: dt.datetime = meta["first"]
    last: dt.datetime = meta["last"]
    step: dt.timedelta | None = agg["step"]
    if meta["last_end"] is not None:
        cover_end = max(meta["last_end"], last)
    elif bucketed and step:
        cover_end = last + step
    else:
        cover_end = last
    day0 = first.date()
    day_n = (cover_end - dt.timedelta(microseconds=1)).date() if cover_end > first else day0
    midnight0 = dt.datetime.combine(day0, dt.time(), first.tzinfo)
    midnight_n = dt.datetime.combine(day_n + dt.timedelta(days=1), dt.time(), first.tzinfo)
    whole_first = first - midnight0 < HOUR
    whole_last = midnight_n - cover_end < HOUR
    all_days = [day0 + dt.timedelta(days=i) for i in range((day_n - day0).days + 1)]
    days = [d for d in all_days if (d != day0 or whole_first) and (d != day_n or whole_last)]
    dropped = tuple(d.isoformat() for d in all_days if d not in days)

    totals = {"n": 0.0, "tin": 0.0, "tout": 0.0, "tcached": 0.0}
    per_hour: dict[dt.datetime, float] = {}
    models: dict[str, dict[str, float]] = {}
    for r in hourly.iter_rows(named=True):
        per_hour[r["hour"]] = per_hour.get(r["hour"], 0.0) + r["n"]
        m = models.setdefault(r["model"], {"n": 0.0, "tin": 0.0, "tout": 0.0, "tcached": 0.0, "spend": 0.0})
        for k in ("n", "tin", "tout", "tcached"):
            m[k] += r[k] or 0.0
            totals[k] += r[k] or 0.0
        m["spend"] += r["spend"] or 0.0
    requests = totals["n"]
    daily = {d: 0.0 for d in days}
    for hour, n in per_hour.items():
        if hour.date() in daily:
            daily[hour.date()] += n

    unsupported: list[tuple[str, str]] = []
    notes: list[str] = []
    rpd = sum(daily.values()) / len(days) if days else None
    if rpd is None:
        unsupported.append(("requests_per_day", "the log holds no whole day"))
    peak = busiest = None
    if step is not None and step > HOUR:
        hours = step.total_seconds() / 3600
        unsupported.append(
            ("peak_to_average", f"the log's time buckets are {hours:g} hours wide: no hourly peak")
        )
    elif days:
        found = mu.peak_to_average(per_hour, days)
        if found is not None:
            peak, busiest = found
    if peak is None and not any(k == "peak_to_average" for k, _ in unsupported):
        unsupported.append(("peak_to_average", "the log holds no whole day"))
    days_per_month = scenario.workload.days_per_month if scenario is not None else 30.0
    growth = r2 = None
    fit = mu.growth_fit([daily[d] for d in days], days_per_month)
    if fit is None:
        unsupported.append(
            (
                "growth_per_month",
                f"needs {mu.MIN_GROWTH_DAYS} whole days with requests; the log has {len(days)}",
            )
        )
    else:
        growth, r2 = fit
    cached_share = None
    if has_cached and totals["tin"] > 0:
        cached_share = totals["tcached"] / totals["tin"]
    else:
        unsupported.append(("cacheable_share", "the log has no cached-token column"))
    if requests <= 0:
        unsupported += [("input_tokens", "no requests"), ("output_tokens", "no requests")]

    by_model = tuple(
        mu.ModelTraffic(
            model=name,
            requests=m["n"],
            input_tokens=m["tin"],
            output_tokens=m["tout"],
            cached_tokens=m["tcached"],
            spend=m["spend"] if has_spend else None,
            share=m["n"] / requests if requests > 0 else 0.0,
        )
        for name, m in sorted(models.items(), key=lambda kv: -kv[1]["n"])
    )
    spend = None
    if has_spend and scenario is not None:
        prices = {r.name: (r.input, r.cached_price, r.output) for r in scenario.api_models}
        spend = mu.spend_check(by_model, prices, scenario.currency)
    elif has_spend:
        logged = sum(m.spend or 0.0 for m in by_model)
        notes.append(
            f"spend                 logged {logged:,.2f}; give --scenario FILE (or --into) to compare it "
            "with a scenario's prices"
        )

    def stats(hist: Any, total: float) -> mu.TokenStats:
        values, weights = hist["v"].to_list(), hist["w"].to_list()
        return mu.TokenStats(
            mean=total / requests if requests > 0 else 0.0,
            p50=mu.weighted_quantile(values, weights, 0.5),
            p90=mu.weighted_quantile(values, weights, 0.9),
        )

    return mu.UsageSummary(
        format=fmt,
        files=tuple(files),
        rows=rows,
        skipped=bad,
        days=len(days),
        requests_per_day=rpd,
        input_tokens=stats(agg["in"], totals["tin"]),
        output_tokens=stats(agg["out"], totals["tout"]),
        cached_share=cached_share,
        peak_to_average=peak,
        growth_per_month=growth,
        growth_r2=r2,
        by_model=by_model,
        spend=spend,
        requests=requests,
        bucketed=bucketed,
        first=first.strftime("%Y-%m-%d %H:%M:%S UTC"),
        last=last.strftime("%Y-%m-%d %H:%M:%S UTC"),
        first_day=days[0].isoformat() if days else "",
        last_day=days[-1].isoformat() if days else "",
        dropped_days=dropped,
        busiest_hour=busiest,
        days_per_month=days_per_month,
        imported=dt.date.today().isoformat(),
        unsupported=tuple(unsupported),
        notes=tuple(notes),
    )


# --- the record above [workload] -------------------------------------------------------------------

COMMENT_MARK = "# Workload measured from usage logs"


def with_comment(text: str, comment: str) -> str:
    """The scenario text with a one-line comment above its `[workload]` header saying where the figures
    came from; an earlier such comment (a previous import) is replaced, not stacked. Text without a
    `[workload]` header (the table written inline or as dotted keys) is returned as it is: `[workload]
    source` still records the import."""
    import re

    line = COMMENT_MARK + ": " + "".join(ch if ch.isprintable() else "?" for ch in comment)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    at = next((i for i, ln in enumerate(lines) if re.match(r"\s*\[\s*workload\s*\]\s*(#.*)?$", ln)), None)
    if at is None:
        return text
    if at > 0 and lines[at - 1].startswith(COMMENT_MARK):
        lines[at - 1] = line
    else:
        lines.insert(at, line)
    return newline.join(lines)
