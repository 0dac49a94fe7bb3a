"""Monte Carlo over the scenario's [uncertainty] ranges: N seeded draws through the engine as one batch.

Each range names an input path (workbench.model.columns) and a distribution:

- uniform(low, high);
- triangular(low, mode, high), mode midway when absent;
- lognormal with low and high as its 5th and 95th percentiles (a 90% interval, as in Guesstimate);

draws are clipped to the input's schema bounds and rounded for whole-number inputs. All draws go
through `engine.batch_totals` (the engine's own formulas) at once; the statistics are numpy over the
(options, months, draws) array of monthly totals. The same seed gives the same draws, so the same
percentiles. A range with low = high draws that one value, which gives the deterministic result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from workbench.model import columns, engine
from workbench.model.scenario import Range, Scenario

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 0
MAX_DRAWS = 1_000_000
PERCENTILES = (10, 50, 90)


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
    """What `simulate` returns; `tco` (options x draws) is kept for histograms, not printed."""

    scenario: Scenario
    draws: int
    seed: int
    ranges: list[tuple[str, Range]]
    options: list[OptionStats]
    tco: np.ndarray
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "name": self.scenario.name,
            "currency": self.scenario.currency,
            "horizon_months": self.scenario.horizon_months,
            "draws": self.draws,
            "seed": self.seed,
            "percentiles": list(PERCENTILES),
            "ranges": [
                {"path": p, "low": r.low, "high": r.high, "dist": r.dist, "mode": _mode(r)} for p, r in self.ranges
            ],
            "options": [o.as_dict() for o in self.options],
        }


def _mode(r: Range) -> float | None:
    if r.dist != "triangular":
        return None
    return r.mode if r.mode is not None else (r.low + r.high) / 2


def draw(r: Range, n: int, rng: np.random.Generator) -> np.ndarray:
    """n draws of one range (before clipping to the input's bounds)."""
    if r.high == r.low:
        return np.full(n, float(r.low))
    if r.dist == "uniform":
        return rng.uniform(r.low, r.high, n)
    if r.dist == "triangular":
        return rng.triangular(r.low, _mode(r), r.high, n)
    mu = (math.log(r.low) + math.log(r.high)) / 2
    sigma = (math.log(r.high) - math.log(r.low)) / (2 * columns.LOGNORMAL_Z)
    return np.exp(rng.normal(mu, sigma, n))


def sample(s: Scenario, n: int, seed: int) -> dict[str, np.ndarray]:
    """Draws for every column the ranges feed: {column: (n, options) array}, from the scenario's rows.

    Ranges are drawn in the order of the [uncertainty] table from one numpy Generator, so a seed
    gives the same draws on every run and machine.
    """
    rows = engine.inputs(s)
    rng = np.random.default_rng(seed)
    varied: dict[str, np.ndarray] = {}
    for path, r in s.uncertainty.items():
        p = columns.check(s, path)
        b = columns.bounds(p)
        values = draw(r, n, rng)
        if b.integer:
            values = np.floor(values + 0.5)
        lo = b.clamp(-math.inf) if b.low is not None else -math.inf
        hi = b.clamp(math.inf) if b.high is not None else math.inf
        values = np.clip(values, lo, hi)
        for opt, col in columns.cells(s, p):
            if col not in varied:
                varied[col] = np.repeat(rows[col].to_numpy().astype(float)[None, :], n, axis=0)
            varied[col][:, opt] = values
    return varied


def simulate(
    s: Scenario,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Simulation:
    """Run the Monte Carlo: P10/P50/P90 of each option's TCO, P(cheapest), breakeven-month spread."""
    if not s.options:
        raise SimulationError("the scenario has no options to simulate")
    if not 1 <= draws <= MAX_DRAWS:
        raise SimulationError(f"draws must be 1..{MAX_DRAWS:,} (got {draws:,})")
    start = time.perf_counter()
    rows = engine.inputs(s)
    H = s.horizon_months
    varied = sample(s, draws, seed)
    totals = engine.batch_totals(rows, H, varied, progress=progress, cancelled=cancelled)
    if totals.shape[2] != draws:  # no ranges: every draw is the deterministic scenario
        totals = np.repeat(totals, draws, axis=2)
    cum = np.cumsum(totals, axis=1)  # (options, months, draws), summed over months in order
    tco = cum[:, -1, :]
    base = s.baseline_index()
    cheapest = np.argmin(tco, axis=0)
    p_cheapest = np.bincount(cheapest, minlength=len(s.options)) / draws
    det = engine.compute(s)
    stats: list[OptionStats] = []
    for i, o in enumerate(s.options):
        q = np.percentile(tco[i], PERCENTILES)
        st = OptionStats(
            name=o.name,
            is_baseline=i == base,
            deterministic_tco=det.options[i].tco,
            p10=float(q[0]),
            p50=float(q[1]),
            p90=float(q[2]),
            mean=float(tco[i].mean()),
            p_cheapest=float(p_cheapest[i]),
        )
        if i != base and base is not None:
            pays = cum[i] <= cum[base]  # (months, draws)
            ever = pays.any(axis=0)
            first = np.where(ever, np.argmax(pays, axis=0) + 1, H + 1)
            st.breakeven_counts = np.bincount(first, minlength=H + 2)[1 : H + 1].tolist()
            st.never = int((~ever).sum())
            qs = np.percentile(first, PERCENTILES, method="inverted_cdf")
            st.breakeven_p10, st.breakeven_p50, st.breakeven_p90 = (int(x) if x <= H else None for x in qs)
        stats.append(st)
    ranges = list(s.uncertainty.items())
    return Simulation(s, draws, seed, ranges, stats, tco, time.perf_counter() - start)


def histogram(sim: Simulation, bins: int = 30, clip: float = 1.0) -> tuple[np.ndarray, list[np.ndarray]]:
    """Shared bin edges over every option's TCO draws, and each option's counts.

    The edges span the `clip`-th to the (100 − clip)-th percentile of all draws, so one long tail does
    not squeeze the rest into a few bins; draws beyond are counted in the first and last bins.
    """
    lo, hi = (float(x) for x in np.percentile(sim.tco, [clip, 100 - clip]))
    if hi <= lo:
        lo, hi = float(sim.tco.min()), float(sim.tco.max())
    if hi <= lo:
        hi = lo + max(abs(lo) * 1e-6, 1.0)
    edges = np.linspace(lo, hi, bins + 1)
    return edges, [np.histogram(np.clip(row, lo, hi), bins=edges)[0] for row in sim.tco]
