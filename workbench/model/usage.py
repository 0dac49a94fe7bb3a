"""What a usage log says about a workload: the figures, how they were measured, and what they would set.

The store (workbench.store.usagelog) reads the log with polars and hands this module small aggregates
(totals per hour, a histogram of tokens per request, totals per model); everything here is plain Python
over those, so the summary can be built, shown and tested without a file. Definitions (README "Usage
logs in"):

- requests per day: the mean over whole calendar days (UTC); a first or last day the log covers only in
  part is dropped, and the summary says so.
- tokens per request: the mean is total tokens over total requests; P50 and P90 are over requests. A
  bucketed log (OpenAI's usage export: one row per time bucket and model) knows only each bucket's
  average, so there they are percentiles of bucket averages weighted by the bucket's requests.
- cached share: cached input tokens over all input tokens.
- peak to average: the busiest hour of the average day (the mean of each hour of the day over the whole
  days) over the mean hour; the single busiest hour of the log is shown beside it.
- growth per month: a least-squares line through the logarithm of the daily request totals (whole days,
  days without requests left out), as compound growth over `days_per_month` days, with R².
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

MIN_GROWTH_DAYS = 14
"""Fewer whole days than this and the growth fit is not offered: a week or two is mostly weekday noise."""

WORKLOAD_KEYS = (
    "requests_per_day",
    "input_tokens",
    "output_tokens",
    "cacheable_share",
    "peak_to_average",
    "growth_per_month",
)
"""The [workload] keys a usage log can set, in the order the summary lists them."""

# The schema's bounds for those keys (workbench.model.scenario.Workload), checked before an import so a
# figure outside them is left out with a reason instead of failing the whole import.
_BOUNDS = {
    "requests_per_day": (0.0, 1e10),
    "input_tokens": (0.0, 1e7),
    "output_tokens": (0.0, 1e7),
    "cacheable_share": (0.0, 1.0),
    "peak_to_average": (1.0, 100.0),
    "growth_per_month": (-0.999, 1.0),
}


class UsageError(ValueError):
    """A usage log that cannot be read or summarised; the message is one line for the user."""


@dataclass(frozen=True)
class TokenStats:
    """Tokens per request: mean, median and 90th percentile."""

    mean: float
    p50: float
    p90: float


@dataclass(frozen=True)
class ModelTraffic:
    """One model's share of the log."""

    model: str
    requests: float
    input_tokens: float
    output_tokens: float
    cached_tokens: float
    spend: float | None
    share: float  # of the requests


@dataclass(frozen=True)
class SpendCheck:
    """The spend the log records against what the scenario's [[api_models]] prices give for its tokens.

    `logged` and `computed` cover the matched models only; `unmatched_spend` is the logged spend of the
    models no row matched."""

    logged: float
    computed: float
    matched: tuple[tuple[str, str], ...]  # (model in the log, [[api_models]] row)
    unmatched: tuple[str, ...]
    unmatched_spend: float
    currency: str

    @property
    def difference(self) -> float | None:
        """computed / logged - 1, or None when nothing matched or nothing was spent."""
        return self.computed / self.logged - 1 if self.logged > 0 else None


@dataclass(frozen=True)
class UsageSummary:
    format: str
    files: tuple[str, ...]
    rows: int  # rows read and used
    skipped: int  # malformed rows, counted and left out
    days: int  # whole days the daily figures are over
    requests_per_day: float | None
    input_tokens: TokenStats
    output_tokens: TokenStats
    cached_share: float | None
    peak_to_average: float | None
    growth_per_month: float | None
    growth_r2: float | None
    by_model: tuple[ModelTraffic, ...]
    spend: SpendCheck | None
    requests: float = 0.0  # all requests in the log (whole days or not)
    bucketed: bool = False  # rows are time buckets with a request count (percentiles over buckets)
    first: str = ""  # first and last timestamps, ISO 8601 UTC
    last: str = ""
    first_day: str = ""  # the whole days used, ISO dates ("" when none)
    last_day: str = ""
    dropped_days: tuple[str, ...] = ()  # partial first/last days left out of the daily figures
    busiest_hour: float | None = None  # the single busiest hour of the log over the mean hour
    days_per_month: float = 30.0
    imported: str = ""  # the date of the import, ISO
    unsupported: tuple[tuple[str, str], ...] = field(default=())  # (workload key, why the log cannot set it)
    notes: tuple[str, ...] = ()

    # --- what an import sets --------------------------------------------------------------------------

    def workload(self) -> dict[str, float]:
        """The [workload] keys this log supports, rounded as a person would type them."""
        out: dict[str, float] = {}
        candidates = {
            "requests_per_day": None if self.requests_per_day is None else round(self.requests_per_day),
            "input_tokens": round(self.input_tokens.mean, 1) if self.requests > 0 else None,
            "output_tokens": round(self.output_tokens.mean, 1) if self.requests > 0 else None,
            "cacheable_share": None if self.cached_share is None else round(self.cached_share, 4),
            "peak_to_average": None if self.peak_to_average is None else round(self.peak_to_average, 2),
            "growth_per_month": None if self.growth_per_month is None else round(self.growth_per_month, 4),
        }
        for key in WORKLOAD_KEYS:
            value = candidates[key]
            if value is None:
                continue
            low, high = _BOUNDS[key]
            if low <= value <= high:
                out[key] = float(value)
        return out

    def left_out(self) -> list[tuple[str, str]]:
        """(key, why) for each [workload] key the log does not set: no data for it, or out of range."""
        out = list(self.unsupported)
        known = {k for k, _ in out}
        have = self.workload()
        for key in WORKLOAD_KEYS:
            if key not in have and key not in known:
                out.append((key, "outside the range the scenario accepts"))
        return out

    def source_text(self) -> str:
        """One line for `[workload] source`: the files, format, rows, days and the date of the import."""
        names = [_short(f) for f in self.files]
        shown = names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"
        days = f"{self.days} whole days {self.first_day}..{self.last_day}" if self.days else "no whole day"
        text = f"usage log {shown} ({self.format}, {self.rows:,} rows, {days}), imported {self.imported}"
        return text if len(text) <= 500 else text[:497] + "..."

    # --- what is shown --------------------------------------------------------------------------------

    def lines(self) -> list[str]:
        """The summary as text lines (the command's table output and the TUI dialog)."""
        out = [f"{', '.join(_short(f) for f in self.files)}: {self.format} log"]
        rows = f"{self.rows:,} rows read"
        if self.skipped:
            rows += f", {self.skipped:,} malformed rows skipped"
        out.append(f"{rows}; {self.first} .. {self.last}")
        if self.dropped_days:
            out.append(f"partial days left out of the daily figures: {', '.join(self.dropped_days)}")
        if self.requests_per_day is not None:
            out.append(
                f"requests per day      {self.requests_per_day:,.0f} (mean over {self.days} whole days, "
                f"{self.first_day}..{self.last_day})"
            )
        else:
            out.append("requests per day      - (no whole day in the log)")
        over = "over buckets, weighted by requests" if self.bucketed else "over requests"
        for label, st in (
            ("input tokens/request ", self.input_tokens),
            ("output tokens/request", self.output_tokens),
        ):
            out.append(f"{label} mean {st.mean:,.0f}  P50 {st.p50:,.0f}  P90 {st.p90:,.0f} ({over})")
        if self.cached_share is not None:
            out.append(f"cached share          {self.cached_share:.1%} of input tokens")
        else:
            out.append("cached share          - (the log has no cached-token column)")
        if self.peak_to_average is not None:
            extra = f"; busiest single hour {self.busiest_hour:.2f}x" if self.busiest_hour else ""
            out.append(
                f"peak to average       {self.peak_to_average:.2f}x (busiest hour of the average day{extra})"
            )
        else:
            out.append(f"peak to average       - ({_why(self.unsupported, 'peak_to_average')})")
        if self.growth_per_month is not None and self.growth_r2 is not None:
            out.append(
                f"growth per month      {self.growth_per_month:+.1%} (log-linear fit over {self.days} days, "
                f"R² {self.growth_r2:.2f})"
            )
        else:
            out.append(f"growth per month      - ({_why(self.unsupported, 'growth_per_month')})")
        if self.by_model:
            out.append("by model              requests      share   in tok/req  out tok/req")
            for m in self.by_model:
                n = m.requests or 1.0
                out.append(
                    f"  {_clip(m.model or '(none)', 20):<20} {m.requests:>10,.0f}  {m.share:>8.1%}  "
                    f"{m.input_tokens / n:>10,.0f}  {m.output_tokens / n:>11,.0f}"
                )
        if self.spend is not None:
            sc = self.spend
            if sc.matched:
                diff = sc.difference
                rel = f" ({diff:+.1%})" if diff is not None else ""
                out.append(
                    f"spend                 logged {sc.logged:,.2f}, at the scenario's prices "
                    f"{sc.computed:,.2f} {sc.currency}{rel}"
                )
                out.append("  matched: " + ", ".join(f"{a} = {b}" if a != b else a for a, b in sc.matched))
                if self.cached_share is None:
                    out.append("  the log has no cached-token column: computed as if no input was cached")
                if sc.currency.upper() != "USD":
                    out.append(
                        f"  the log's spend is as it records it (LiteLLM records USD); the prices are in {sc.currency}"
                    )
            else:
                out.append(
                    "spend                 no model of the log matches a [[api_models]] row: nothing to compare"
                )
            if sc.unmatched:
                out.append(
                    f"  not matched: {', '.join(sc.unmatched)} (logged spend {sc.unmatched_spend:,.2f})"
                )
        for note in self.notes:
            out.append(note)
        return out

    def as_dict(self) -> dict:
        """Everything, as plain JSON-ready values (the command's --format-out json)."""
        d = asdict(self)
        d["files"] = list(self.files)
        d["by_model"] = [asdict(m) for m in self.by_model]
        d["dropped_days"] = list(self.dropped_days)
        d["unsupported"] = {k: why for k, why in self.unsupported}
        d["notes"] = list(self.notes)
        if self.spend is not None:
            d["spend"] = asdict(self.spend)
            d["spend"]["matched"] = [list(p) for p in self.spend.matched]
            d["spend"]["unmatched"] = list(self.spend.unmatched)
            d["spend"]["difference"] = self.spend.difference
        d["workload"] = self.workload()
        d["source"] = self.source_text()
        return d


def _why(unsupported: Iterable[tuple[str, str]], key: str) -> str:
    return next((why for k, why in unsupported if k == key), "not measured")


def _short(path: str) -> str:
    """A file name for a one-line record: the name only, printable."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1] or path
    return "".join(ch if ch.isprintable() else "?" for ch in name)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the figures, from aggregates ------------------------------------------------------------------


def weighted_quantile(values: Sequence[float], weights: Sequence[float], q: float) -> float:
    """The smallest value whose cumulative weight reaches q of the total (values need not be sorted)."""
    pairs = sorted((v, w) for v, w in zip(values, weights, strict=True) if w > 0)
    total = sum(w for _, w in pairs)
    if not pairs or total <= 0:
        return 0.0
    target = q * total
    run = 0.0
    for v, w in pairs:
        run += w
        if run >= target - 1e-9 * total:
            return float(v)
    return float(pairs[-1][0])


def growth_fit(daily: Sequence[float], days_per_month: float = 30.0) -> tuple[float, float] | None:
    """(growth per month, R²) of a least-squares line through ln(requests) by day; None below
    MIN_GROWTH_DAYS days with requests. Days without requests are left out (their logarithm is not a
    number)."""
    points = [(float(i), math.log(y)) for i, y in enumerate(daily) if y > 0]
    if len(points) < MIN_GROWTH_DAYS:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    syy = sum((y - my) ** 2 for _, y in points)
    slope = sxy / sxx if sxx > 0 else 0.0
    r2 = (sxy * sxy) / (sxx * syy) if sxx > 0 and syy > 0 else 0.0
    return math.expm1(slope * days_per_month), r2


def peak_to_average(hourly: dict[dt.datetime, float], days: Sequence[dt.date]) -> tuple[float, float] | None:
    """(busiest hour of the average day over the mean hour, busiest single hour over the mean hour) over
    the given whole days; None when they hold no requests."""
    wanted = set(days)
    by_hour = [0.0] * 24
    single = 0.0
    total = 0.0
    for when, n in hourly.items():
        if when.date() in wanted:
            by_hour[when.hour] += n
            single = max(single, n)
            total += n
    if total <= 0 or not wanted:
        return None
    mean_hour = total / (24 * len(wanted))
    return max(by_hour) / len(wanted) / mean_hour, single / mean_hour


_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest)$")


def model_key(name: str) -> str:
    """A model name reduced for a forgiving match: lower case, no provider prefix (`openai/`), no dated
    snapshot suffix (`-2024-08-06`, `-20241022`, `-0613`), letters and digits only."""
    text = name.strip().lower().rsplit("/", 1)[-1]
    text = _DATE_SUFFIX.sub("", text)
    return re.sub(r"[^a-z0-9]", "", text)


def match_models(log_models: Iterable[str], rows: Sequence[str]) -> dict[str, str]:
    """Each log model name that matches an [[api_models]] row name: exactly (ignoring case), else by
    model_key (`openai/gpt-4o-mini-2024-07-18` finds the row `GPT-4o mini`). No nearer guess: a log of
    `gpt-4o-mini` priced at a `gpt-4o` row would be worse than no match."""
    exact = {r.strip().lower(): r for r in rows}
    keyed = {model_key(r): r for r in rows if model_key(r)}
    out: dict[str, str] = {}
    for name in log_models:
        hit = exact.get(name.strip().lower()) if name else None
        if hit is None and name:
            hit = keyed.get(model_key(name))
        if hit is not None:
            out[name] = hit
    return out


def spend_check(
    by_model: Sequence[ModelTraffic], prices: dict[str, tuple[float, float, float]], currency: str
) -> SpendCheck | None:
    """The logged spend against the scenario's prices. `prices`: [[api_models]] row name -> (input,
    cached input, output) per 1M tokens. None when the log records no spend."""
    if not any(m.spend is not None for m in by_model):
        return None
    matches = match_models([m.model for m in by_model], list(prices))
    logged = computed = unmatched_spend = 0.0
    matched: list[tuple[str, str]] = []
    unmatched: list[str] = []
    for m in by_model:
        row = matches.get(m.model)
        if row is None:
            unmatched.append(m.model or "(none)")
            unmatched_spend += m.spend or 0.0
            continue
        p_in, p_cached, p_out = prices[row]
        uncached = max(m.input_tokens - m.cached_tokens, 0.0)
        computed += (uncached * p_in + m.cached_tokens * p_cached + m.output_tokens * p_out) / 1e6
        logged += m.spend or 0.0
        matched.append((m.model, row))
    return SpendCheck(logged, computed, tuple(matched), tuple(unmatched), unmatched_spend, currency)
