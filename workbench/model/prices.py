"""The API price catalog: the offline snapshot that the genai-prices package ships, read without network.

genai-prices (pydantic's) keeps input, output and cache prices for thousands of models of 40+ providers.
Its bundled snapshot is a Python module, so reading it needs no network; this module never calls its
auto-update. Each catalog entry maps onto an `[[api_models]]` row:

- `input`  = the input text price per 1M tokens (`input_mtok`)
- `output` = the output text price per 1M tokens (`output_mtok`, 0 when the model bills no output)
- `cached_input` = the cache-read price (`cache_read_mtok`); absent when the provider lists none
- cache writes, web searches, audio, images: not part of the workbench's model (listed in `extras`)
- tiered prices (a higher rate for long prompts): the base tier, the one short prompts pay (`tier_note`)

The snapshot's date: genai-prices does not record one, so `SNAPSHOT_DATES` records, per pinned version,
the latest price change its data records that had begun when that version was released.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

# Per pinned genai-prices version: the latest dated price change recorded in its snapshot that had
# started by the release (0.2.3, November 2026: a price starting 2026-11-09; later ones are scheduled).
SNAPSHOT_DATES = {"0.2.3": "2026-11-09"}

MODELLED_KEYS = ("input_mtok", "output_mtok", "cache_read_mtok")
IGNORED_CACHE_WRITES = ("cache_write_mtok", "cache_write_1h_mtok")


class CatalogError(RuntimeError):
    """The catalog cannot be read (genai-prices missing or its snapshot unreadable)."""


@dataclass(frozen=True)
class Entry:
    """One model of one provider, with the prices the workbench uses (per 1M tokens, USD)."""

    provider_id: str
    provider_name: str
    model_id: str
    model_name: str
    input: float
    output: float
    cached_input: float | None
    native: bool  # the provider is the model's maker (its model_match claims the model)
    deprecated: bool = False
    tier_note: str = ""  # non-empty when a price has tiers: which tier these prices are
    extras: tuple[str, ...] = field(default=())  # other things the model bills (web searches, cache writes)

    @property
    def row_name(self) -> str:
        """The [[api_models]] name this entry gets: the model's name, with the provider when not its maker."""
        return self.model_name if self.native else f"{self.model_name} ({self.provider_name})"

    @property
    def label(self) -> str:
        return f"{self.provider_name} / {self.model_name}"

    def haystack(self) -> str:
        return f"{self.provider_id} {self.provider_name} {self.model_id} {self.model_name}".lower()


def version() -> str:
    try:
        from genai_prices import __version__
    except ImportError as exc:  # pragma: no cover - a broken install
        raise CatalogError("the price catalog needs the genai-prices package (pip install -e .)") from exc
    return __version__


def _scan_date() -> str:
    """For a genai-prices version without a recorded date: the latest date in its data not after today."""
    import importlib.util

    spec = importlib.util.find_spec("genai_prices.data")
    if spec is None or spec.origin is None:
        return "undated"
    try:
        text = open(spec.origin, encoding="utf-8").read()
    except OSError:
        return "undated"
    today = date.today().isoformat()
    found = set(re.findall(r"\b(20\d\d-[01]\d-[0-3]\d)\b", text))
    found |= {
        f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
        for y, m, d in re.findall(r"datetime\.date\((\d{4}), (\d{1,2}), (\d{1,2})\)", text)
    }
    past = sorted(d for d in found if d <= today)
    return past[-1] if past else "undated"


@cache
def snapshot_date() -> str:
    return SNAPSHOT_DATES.get(version()) or _scan_date()


def source_label() -> str:
    """What a row's `source` says: `genai-prices <version>, <date>`."""
    return f"genai-prices {version()}, {snapshot_date()}"


def _num(value: Any) -> tuple[float | None, str]:
    """A price (Decimal or TieredPrices) -> (base price as float, a note when tiered)."""
    if value is None:
        return None, ""
    tiers = getattr(value, "tiers", None)
    if tiers is not None:
        first = tiers[0] if tiers else None
        note = f"prompts up to {first.start:,} tokens" if first is not None else ""
        return float(value.base), note
    return float(value), ""


def _entry(provider: Any, model: Any, at: datetime) -> Entry | None:
    prices = model.get_prices(at)
    inp, t1 = _num(getattr(prices, "input_mtok", None))
    out, t2 = _num(getattr(prices, "output_mtok", None))
    cached, t3 = _num(getattr(prices, "cache_read_mtok", None))
    if inp is None:
        return None  # audio-by-the-hour, images, per-request only: nothing the workbench can use
    extras = []
    for key, value in prices.__dict__.items():
        if value is None or key.startswith("_") or key in MODELLED_KEYS:
            continue
        extras.append(re.sub(r"_(mtok|kcount|kpages|mchars)$", "", key).replace("_", " "))
    native = provider.model_match is not None and provider.model_match.is_match(model.id.lower())
    return Entry(
        provider_id=provider.id,
        provider_name=provider.name,
        model_id=model.id,
        model_name=model.name or model.id,
        input=inp,
        output=out or 0.0,
        cached_input=cached,
        native=bool(native),
        deprecated=bool(model.deprecated),
        tier_note=t1 or t2 or t3,
        extras=tuple(extras),
    )


@cache
def _catalog(day: str) -> tuple[Entry, ...]:
    try:
        from genai_prices import data_snapshot
    except ImportError as exc:
        raise CatalogError("the price catalog needs the genai-prices package (pip install -e .)") from exc
    # The bundled snapshot, never the auto-updated one: no network at run time.
    snap = data_snapshot._bundled_snapshot()
    at = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
    out = []
    for p in snap.providers:
        for m in p.models:
            e = _entry(p, m, at)
            if e is not None:
                out.append(e)
    return tuple(out)


def price_day(at: datetime | None = None) -> str:
    """The day whose prices are shown: today (the snapshot records scheduled changes with start dates)."""
    return (at or datetime.now(UTC)).date().isoformat()


def catalog(at: datetime | None = None) -> tuple[Entry, ...]:
    """Every usable entry of the bundled snapshot, with the prices in force on `at`'s day (default today)."""
    return _catalog(price_day(at))


def search(query: str, entries: tuple[Entry, ...] | None = None, limit: int | None = None) -> list[Entry]:
    """Entries whose provider or model matches every word of the query, best first.

    Ranking: an exact id or name match first, the model's own maker before resellers, current before
    deprecated; then by provider, newest version first (by the numbers in the model's name).
    """
    entries = catalog() if entries is None else entries
    words = [w for w in re.split(r"[\s/]+", query.lower().strip()) if w]
    q = query.lower().strip()
    hits = [e for e in entries if all(w in e.haystack() for w in words)]

    def rank(ie: tuple[int, Entry]) -> tuple:
        i, e = ie
        exact = q in (e.model_id.lower(), e.model_name.lower())
        return (not exact, not e.native, e.deprecated, e.provider_id, _newest_first(e.model_name), i)

    ranked = [e for _, e in sorted(enumerate(hits), key=rank)]
    return ranked[:limit] if limit is not None else ranked


def _newest_first(name: str) -> tuple:
    """Version numbers in a model's name, negated, so 'Claude Sonnet 4.5' sorts before 'Claude Sonnet 3.7'.
    Dates and other large numbers (2024, 0513) are not versions and are left out."""
    nums = [int(n) for n in re.findall(r"\d+", name) if len(n) <= 2]
    return tuple(-n for n in nums) + (0,) * (4 - len(nums))


def find(provider_id: str, model_id: str, entries: tuple[Entry, ...] | None = None) -> Entry | None:
    for e in catalog() if entries is None else entries:
        if e.provider_id == provider_id and e.model_id == model_id:
            return e
    return None


def row_for(entry: Entry) -> dict:
    """The [[api_models]] row an entry becomes."""
    row: dict = {"name": entry.row_name, "input": entry.input, "output": entry.output}
    if entry.cached_input is not None:
        row["cached_input"] = entry.cached_input
    row["source"] = source_label()
    return row


def price_text(x: float | None) -> str:
    """A per-1M price as the listing shows it: $3, $0.3, $0.075, — when absent."""
    if x is None:
        return "—"
    return f"${x:,.4f}".rstrip("0").rstrip(".") if x < 1000 else f"${x:,.0f}"
