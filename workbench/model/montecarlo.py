"""Monte Carlo over the scenario's [uncertainty] ranges: N seeded draws through the engine, chunk by chunk.

Each range names an input path (workbench.model.columns) and a distribution:

- uniform(low, high);
- triangular(low, mode, high), mode midway when absent;
- lognormal with low and high as its 5th and 95th percentiles (a 90% interval, as in Guesstimate);

draws are clipped to the input's schema bounds and rounded for whole-number inputs. The draws go through
the engine's own formulas, partially evaluated once for the whole run (`engine.plan_batch`) and run one
option at a time (`engine.run_option`) on chunks of at most `chunk_draws(s)` draws, sized so that a
chunk's working memory stays near CHUNK_BYTES whatever N is. The statistics are accumulated across the
chunks: for each option the count of draws in which it is the cheapest, the count of draws per
breakeven month (the breakeven percentiles come exactly from these counts), the sum of its TCOs, and the
TCO of every draw while options × draws is at most KEEP_CELLS (exact percentiles, and the pane's
histogram). Beyond that the TCOs are counted in bins 2^-HIST_BITS wide relative to the value, and the
TCO percentiles are estimated to within that (PERCENTILE_ERROR, 0.025%; `estimated_percentiles` in the
JSON).

Random streams: range 1's N draws come first from one numpy Generator (PCG64 from the seed), then range
2's N draws, and so on, in the order of the [uncertainty] table; a range with low = high draws nothing.
A run of one chunk draws exactly so. A run of several chunks gives each range its own copy of the
Generator, set where that range's block of N draws starts: advanced by N 64-bit outputs past a uniform or
triangular range (each draw takes exactly one), drawn through and discarded past a lognormal range (its
normal draws take a varying number). So every draw is the same number whatever the chunk size, and so is
every statistic (tests hold runs in chunks of 6 to 1,000 draws to the run in one chunk, bit for bit; the
chunks hold at least 3 draws, MIN_CHUNK). The same seed gives the same percentiles on every run and
machine.

Limits that protect the machine: at most MAX_DRAWS draws, and at most MAX_CELLS draws × options × months
(the work: under a minute on a 2-core machine); a run past either is refused with one line that
names the numbers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from workbench.model import columns, engine
from workbench.model.engine import Cancelled
from workbench.model.scenario import Range, Scenario

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 0
MAX_DRAWS = 1_000_000
MAX_CELLS = 600_000_000  # draws × options × months: the work of the largest run accepted (under a minute)
CHUNK_BYTES = 128 * 2**20  # working memory of one chunk of draws (an estimate, see `chunk_draws`)
KEEP_CELLS = 20_000_000  # options × draws kept as exact per-draw TCOs (160 MB of float64)
HIST_BITS = 12  # beyond KEEP_CELLS: bins of 2^-12 relative width for each option's TCOs
PERCENTILE_ERROR = 2.0**-HIST_BITS  # relative error of estimated percentiles (0.0244%)
PERCENTILES = (10, 50, 90)
MIN_CHUNK = (
    6  # so every chunk holds at least 3 draws: on 1- or 2-row frames polars may round a last bit apart
)

__all__ = [
    "Cancelled",
    "DEFAULT_DRAWS",
    "MAX_CELLS",
    "MAX_DRAWS",
    "OptionStats",
    "Simulation",
    "SimulationError",
    "check_limits",
    "chunk_draws",
    "draw",
    "histogram",
    "max_draws",
    "sample",
    "simulate",
]


class SimulationError(ValueError):
    """Nothing to simulate, or an impossible request; worded for the user."""


@dataclass
class OptionStats:
    name: str
    is_baseline: bool
    deterministic_tco: float
    p10: float
    p50: float
    p90: float
    mean: float
    p_cheapest: float
    # breakeven month against the baseline: counts per month 1..H, and draws that never pay back
    breakeven_counts: list[int] = field(default_factory=list)
    never: int = 0
    breakeven_p10: int | None = None
    breakeven_p50: int | None = None
    breakeven_p90: int | None = None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "baseline": self.is_baseline,
            "deterministic_tco": self.deterministic_tco,
            "tco_p10": self.p10,
            "tco_p50": self.p50,
            "tco_p90": self.p90,
            "tco_mean": self.mean,
            "p_cheapest": self.p_cheapest,
            "breakeven_month": None
            if self.is_baseline
            else {
                "p10": self.breakeven_p10,
                "p50": self.breakeven_p50,
                "p90": self.breakeven_p90,
                "never": self.never,
                "counts": self.breakeven_counts,
            },
        }


@dataclass
class Simulation:
    """What `simulate` returns.

    `tco` (options × draws) holds every draw's TCO, for histograms (not printed), when options × draws
    is at most KEEP_CELLS; beyond that it is None, `bins` holds each option's binned TCOs and the
    percentiles are estimates (`estimated`).
    """

    scenario: Scenario
    draws: int
    seed: int
    ranges: list[tuple[str, Range]]
    options: list[OptionStats]
    tco: np.ndarray | None
    seconds: float = 0.0
    chunk: int = 0  # draws in the largest chunk
    bins: list[_Bins] | None = None
    chunks: int = 1

    @property
    def estimated(self) -> bool:
        return self.tco is None

    def as_dict(self) -> dict:
        out = {
            "name": self.scenario.name,
            "currency": self.scenario.currency,
            "horizon_months": self.scenario.horizon_months,
            "draws": self.draws,
            "seed": self.seed,
            "percentiles": list(PERCENTILES),
        }
        if self.estimated:  # only then, so the output of every exact run stays as it was
            out["estimated_percentiles"] = {
                "relative_error": PERCENTILE_ERROR,
                "why": f"options × draws is over {KEEP_CELLS:,}: TCO percentiles come from bins, not every draw",
            }
        out["ranges"] = [
            {"path": p, "low": r.low, "high": r.high, "dist": r.dist, "mode": _mode(r)}
            for p, r in self.ranges
        ]
        out["options"] = [o.as_dict() for o in self.options]
        return out


def _mode(r: Range) -> float | None:
    return _peak(r) if r.dist == "triangular" else None


def _peak(r: Range) -> float:
    """A triangular range's most likely value: its mode, midway when absent."""
    return r.mode if r.mode is not None else (r.low + r.high) / 2


def draw(r: Range, n: int, rng: np.random.Generator) -> np.ndarray:
    """n draws of one range (before clipping to the input's bounds)."""
    if r.high == r.low:
        return np.full(n, float(r.low))
    if r.dist == "uniform":
        return rng.uniform(r.low, r.high, n)
    if r.dist == "triangular":
        return rng.triangular(r.low, _peak(r), r.high, n)
    mu = (math.log(r.low) + math.log(r.high)) / 2
    sigma = (math.log(r.high) - math.log(r.low)) / (2 * columns.LOGNORMAL_Z)
    return np.exp(rng.normal(mu, sigma, n))


@dataclass(frozen=True)
class _Drawn:
    """One [uncertainty] range with the input's bounds and the (option, column) cells it feeds."""

    path: str
    range: Range
    bounds: columns.Bounds
    cells: list[tuple[int, str]]

    def values(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n draws, rounded for whole-number inputs and clipped to the input's bounds."""
        v = draw(self.range, n, rng)
        b = self.bounds
        if b.integer:
            v = np.floor(v + 0.5)
        lo = b.clamp(-math.inf) if b.low is not None else -math.inf
        hi = b.clamp(math.inf) if b.high is not None else math.inf
        return np.clip(v, lo, hi)


def _ranges(s: Scenario) -> list[_Drawn]:
    out = []
    for path, r in s.uncertainty.items():
        p = columns.check(s, path)
        out.append(_Drawn(path, r, columns.bounds(p), columns.cells(s, p)))
    return out


def sample(s: Scenario, n: int, seed: int) -> dict[str, np.ndarray]:
    """Draws for every column the ranges feed: {column: (n, options) array}, from the scenario's rows.

    Ranges are drawn in the order of the [uncertainty] table from one numpy Generator, so a seed
    gives the same draws on every run and machine (the draws `simulate` makes, all at once).
    """
    rows = engine.inputs(s)
    rng = np.random.default_rng(seed)
    varied: dict[str, np.ndarray] = {}
    for d in _ranges(s):
        values = d.values(n, rng)
        for opt, col in d.cells:
            if col not in varied:
                varied[col] = np.repeat(rows[col].to_numpy().astype(float)[None, :], n, axis=0)
            varied[col][:, opt] = values
    return varied


# --- Limits ---------------------------------------------------------------------------------------------


def work(s: Scenario, draws: int) -> int:
    """draws × options × months: what a run computes (each a monthly total of one option in one draw)."""
    return draws * len(s.options) * s.horizon_months


def max_draws(s: Scenario) -> int:
    """The most draws `simulate` accepts for this scenario (MAX_DRAWS, or fewer under MAX_CELLS)."""
    per_draw = max(1, len(s.options) * s.horizon_months)
    return max(1, min(MAX_DRAWS, MAX_CELLS // per_draw))


def check_limits(s: Scenario, draws: int) -> None:
    """Raise SimulationError (one line) for a run past MAX_DRAWS or MAX_CELLS."""
    if not 1 <= draws <= MAX_DRAWS:
        raise SimulationError(f"draws must be 1..{MAX_DRAWS:,} (got {draws:,})")
    cells = work(s, draws)
    if cells > MAX_CELLS:
        raise SimulationError(
            f"{draws:,} draws × {len(s.options)} options × {s.horizon_months} months = {cells:,} monthly totals, "
            f"over the limit of {MAX_CELLS:,} that keeps a run under a minute; at most {max_draws(s):,} "
            "draws for this scenario"
        )


def chunk_draws(s: Scenario) -> int:
    """Draws per chunk: CHUNK_BYTES over the bytes one draw holds while its chunk runs.

    Per draw: one float per range (the draws), three per month (the baseline's cumulative cost, an
    option's totals and their cumulative sum; the polars results are copied one at a time), one per
    option (the chunk's TCOs), and 64 more for the columns polars computes in the queries in flight
    (calibrated on the starter preset and a 100-option, 120-month scenario: the peak grows by about
    this much per chunk draw).
    """
    per_draw = 8 * (len(s.uncertainty) + 3 * s.horizon_months + len(s.options) + 64) + s.horizon_months
    return max(1_000, CHUNK_BYTES // per_draw)


# --- The run --------------------------------------------------------------------------------------------


def _copy(rng: np.random.Generator) -> np.random.Generator:
    bg = type(rng.bit_generator)()
    bg.state = rng.bit_generator.state
    return np.random.Generator(bg)


def _streams(drawn: list[_Drawn], draws: int, seed: int, chunk: int) -> list[np.random.Generator]:
    """One Generator per range, each where that range's block of `draws` draws starts in the single stream
    (range 1's draws, then range 2's, ...). With one chunk that is the one Generator, drawn in turn."""
    rng = np.random.default_rng(seed)
    if draws <= chunk:
        return [rng] * len(drawn)
    out = []
    for d in drawn:
        out.append(_copy(rng))
        r = d.range
        if r.high == r.low:
            continue  # draws nothing from the stream
        if r.dist in ("uniform", "triangular"):
            cast(np.random.PCG64, rng.bit_generator).advance(draws)  # one 64-bit output per draw
        else:
            for lo in range(0, draws, chunk):  # normal draws take a varying number: draw them through
                draw(r, min(chunk, draws - lo), rng)
    return out


def _breakeven_quantiles(counts: np.ndarray, n: int) -> list[int]:
    """np.percentile(first, PERCENTILES, method="inverted_cdf") of n breakeven months from their counts
    (counts[v] draws have month v): the same positions numpy takes, looked up in the cumulative counts."""
    index = n * (np.asarray(PERCENTILES, dtype=np.float64) / 100) - 1
    previous = np.floor(index)
    pos = np.where(index - previous == 0, previous, previous + 1).astype(np.intp)
    pos[pos < 0] = 0
    return np.searchsorted(np.cumsum(counts), pos, side="right").tolist()


def simulate(
    s: Scenario,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    chunk: int | None = None,
) -> Simulation:
    """Run the Monte Carlo: P10/P50/P90 of each option's TCO, P(cheapest), breakeven-month spread.

    Chunk by chunk (at most `chunk` draws, default `chunk_draws(s)`, at least MIN_CHUNK; the chunks are
    as even as whole draws allow); `progress` gets the share done after each option of each chunk, and
    `cancelled` is asked before each (it raises engine.Cancelled).
    """
    if not s.options:
        raise SimulationError("the scenario has no options to simulate")
    check_limits(s, draws)
    start = time.perf_counter()
    k, H = len(s.options), s.horizon_months
    base = s.baseline_index() or 0  # options exist, so there is a baseline
    size = min(draws, max(MIN_CHUNK, chunk or chunk_draws(s)))
    count = -(-draws // size)  # chunks, as even as whole draws allow: none is under size / 2
    starts = [draws * c // count for c in range(count + 1)]
    size = max(b - a for a, b in zip(starts, starts[1:], strict=False))
    drawn = _ranges(s)
    streams = _streams(drawn, draws, seed, size)

    # Which range sets each (option, column) cell (the last one that names it, as in `sample`); a range
    # with low = high sets a constant, folded into the formulas like any input that is not drawn.
    writer: dict[tuple[int, str], int] = {}
    for j, d in enumerate(drawn):
        for cell in d.cells:
            writer[cell] = j
    varying: list[list[str]] = [[] for _ in range(k)]
    overrides: list[dict[str, float]] = [{} for _ in range(k)]
    for (i, col), j in writer.items():
        r = drawn[j].range
        if r.low == r.high:
            overrides[i][col] = float(drawn[j].values(1, np.random.default_rng(0))[0])
        else:
            varying[i].append(col)
    plan = engine.plan_batch(engine.inputs(s), H, varying, overrides)

    keep = k * draws <= KEEP_CELLS
    tco_all = np.empty((k, draws)) if keep else None
    bins = [] if keep else [_Bins() for _ in range(k)]
    sums = np.zeros(k)
    cheapest = np.zeros(k, dtype=np.int64)
    months = np.zeros((k, H + 2), dtype=np.int64)  # draws per first month paid back; H + 1 = never
    order = [base, *(i for i in range(k) if i != base)]
    steps, step = count * k, 0
    for lo, hi in zip(starts, starts[1:], strict=False):
        n = hi - lo
        values = [d.values(n, g) for d, g in zip(drawn, streams, strict=True)]  # in the table's order
        tco = np.empty((k, n))
        base_cum = None
        for i in order:
            if cancelled is not None and cancelled():
                raise Cancelled()
            data = {col: values[writer[(i, col)]] for col in plan.columns[i]}
            cum = np.cumsum(engine.run_option(plan, i, data, n), axis=0)  # (months, draws), in month order
            tco[i] = cum[-1]
            if i == base:
                base_cum = cum
            else:
                assert base_cum is not None  # the baseline runs first
                pays = engine.at_most(cum, base_cum)  # "at most" up to rounding (docs/model.md 6.0)
                ever = pays.any(axis=0)
                first = np.where(ever, np.argmax(pays, axis=0) + 1, H + 1)
                months[i] += np.bincount(first, minlength=H + 2)
            del cum
            step += 1
            if progress is not None:
                progress(step / steps)
        cheapest += np.bincount(np.argmin(tco, axis=0), minlength=k)
        if tco_all is not None:
            tco_all[:, lo : lo + n] = tco
        else:
            sums += tco.sum(axis=1)
            for i in range(k):
                bins[i].add(tco[i])

    p_cheapest = cheapest / draws
    det = engine.compute(s)
    stats: list[OptionStats] = []
    for i, o in enumerate(s.options):
        if tco_all is not None:
            q = np.percentile(tco_all[i], PERCENTILES)
            mean = float(tco_all[i].mean())
        else:
            q = bins[i].percentiles(PERCENTILES)
            mean = float(sums[i] / draws)
        st = OptionStats(
            name=o.name,
            is_baseline=i == base,
            deterministic_tco=det.options[i].tco,
            p10=float(q[0]),
            p50=float(q[1]),
            p90=float(q[2]),
            mean=mean,
            p_cheapest=float(p_cheapest[i]),
        )
        if i != base:
            st.breakeven_counts = months[i, 1 : H + 1].tolist()
            st.never = int(months[i, H + 1])
            qs = _breakeven_quantiles(months[i], draws)
            st.breakeven_p10, st.breakeven_p50, st.breakeven_p90 = (int(x) if x <= H else None for x in qs)
        stats.append(st)
    ranges = list(s.uncertainty.items())
    return Simulation(
        s, draws, seed, ranges, stats, tco_all, time.perf_counter() - start, size, bins or None, count
    )


# --- Binned TCOs, past KEEP_CELLS -------------------------------------------------------------------------

_SHIFT = 52 - HIST_BITS
_MAGNITUDE = np.int64(0x7FFF_FFFF_FFFF_FFFF)
_SIGN = np.int64(-(2**63))


def _ordered(x: np.ndarray) -> np.ndarray:
    """float64 bit patterns as int64 that sort as the floats do (negative floats mirrored)."""
    b = np.ascontiguousarray(x, dtype=np.float64).view(np.int64)
    return np.where(b < 0, -(b & _MAGNITUDE), b)


def _unordered(o: np.ndarray) -> np.ndarray:
    return np.where(o < 0, (-o) | _SIGN, o).astype(np.int64).view(np.float64)


def _merge(keys: list[np.ndarray], counts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Bin counts given as several (keys, counts) pairs, added up per key: (sorted keys, counts)."""
    merged, where = np.unique(np.concatenate(keys), return_inverse=True)
    total = np.zeros(len(merged), dtype=np.int64)
    np.add.at(total, where, np.concatenate(counts))
    return merged, total


class _Bins:
    """One option's TCOs, counted by their float's exponent and first HIST_BITS mantissa bits: bins of
    relative width at most 2^-HIST_BITS, so a percentile is known to within that, in memory that grows
    with the spread of the values (a few thousand bins per doubling), not with the number of draws."""

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.int64)
        self.counts = np.empty(0, dtype=np.int64)
        self.n = 0
        self.lo = math.inf
        self.hi = -math.inf

    def add(self, x: np.ndarray) -> None:
        if x.size == 0:
            return
        k, c = np.unique(_ordered(x) >> _SHIFT, return_counts=True)
        self.keys, self.counts = _merge([self.keys, k], [self.counts, c])
        self.n += x.size
        self.lo = min(self.lo, float(x.min()))
        self.hi = max(self.hi, float(x.max()))

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Each bin's lowest and highest value."""
        low = _unordered(self.keys << _SHIFT)
        high = _unordered((self.keys << _SHIFT) + ((1 << _SHIFT) - 1))
        return low, np.where(np.isfinite(high), high, low)

    def order_statistics(self, pos: np.ndarray) -> np.ndarray:
        """Estimates of the sorted values at 0-based positions `pos`: the rank's share of its bin."""
        cum = np.cumsum(self.counts)
        b = np.searchsorted(cum, pos, side="right")
        rank = pos - (cum[b] - self.counts[b])
        low, high = self.edges()
        est = low[b] + (rank + 0.5) / self.counts[b] * (high[b] - low[b])
        return np.clip(est, self.lo, self.hi)

    def percentiles(self, qs) -> np.ndarray:
        """np.percentile's default (linear) method, over the estimated order statistics."""
        idx = (self.n - 1) * (np.asarray(qs, dtype=np.float64) / 100)
        below = np.floor(idx).astype(np.int64)
        above = np.minimum(below + 1, self.n - 1)
        a, b = self.order_statistics(below), self.order_statistics(above)
        return a + (idx - below) * (b - a)

    def centers(self) -> tuple[np.ndarray, np.ndarray]:
        low, high = self.edges()
        return np.clip((low + high) / 2, self.lo, self.hi), self.counts

    @staticmethod
    def merged(parts: list[_Bins]) -> _Bins:
        out = _Bins()
        out.keys, out.counts = _merge([p.keys for p in parts], [p.counts for p in parts])
        out.n = sum(p.n for p in parts)
        out.lo, out.hi = min(p.lo for p in parts), max(p.hi for p in parts)
        return out


def histogram(sim: Simulation, bins: int = 30, clip: float = 1.0) -> tuple[np.ndarray, list[np.ndarray]]:
    """Shared bin edges over every option's TCO draws, and each option's counts.

    The edges span the `clip`-th to the (100 − clip)-th percentile of all draws, so one long tail does
    not squeeze the rest into a few bins; draws beyond are counted in the first and last bins. A run
    whose draws were binned (`sim.estimated`) is drawn from those bins.
    """
    if sim.tco is not None:
        lo, hi = (float(x) for x in np.percentile(sim.tco, [clip, 100 - clip]))
        if hi <= lo:
            lo, hi = float(sim.tco.min()), float(sim.tco.max())
    else:
        assert sim.bins is not None  # a run without every draw's TCO keeps bins
        pooled = _Bins.merged(sim.bins)
        lo, hi = (float(x) for x in pooled.percentiles([clip, 100 - clip]))
        if hi <= lo:
            lo, hi = pooled.lo, pooled.hi
    if hi <= lo:
        hi = lo + max(abs(lo) * 1e-6, 1.0)
    edges = np.linspace(lo, hi, bins + 1)
    if sim.tco is not None:
        return edges, [np.histogram(np.clip(row, lo, hi), bins=edges)[0] for row in sim.tco]
    out = []
    for b in sim.bins or []:
        centers, counts = b.centers()
        out.append(np.histogram(np.clip(centers, lo, hi), bins=edges, weights=counts)[0].astype(np.int64))
    return edges, out
