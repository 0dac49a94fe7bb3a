"""Volume sweep: each option's steady monthly cost across a range of requests/day.

The same formulas as the engine (`engine.steady_costs`: month-1 prices, no one-time or retrain costs), run
as one batch over a log-spaced grid of volumes around the scenario's own. The plots pane draws it as
"monthly cost against requests/day"; the breakeven volumes are the ones the results report, so the
marks on the plot and the numbers in the tables are the same figures.

Bounded: at most MAX_POINTS volumes (a larger request is refused in one line, SweepError); the batch
is evaluated in parts (`engine.steady_costs`, STEADY_ROWS option-volume pairs at a time), so its memory
stays flat however many options and volumes there are.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from workbench.model import engine

if TYPE_CHECKING:
    from workbench.model.engine import Results
    from workbench.model.scenario import Scenario

MIN_VOLUME = 1.0
MAX_VOLUME = engine.MAX_VOLUME  # 1e9 requests/day
POINTS = 120
SPAN = 100.0  # the default range is volume / SPAN .. volume * SPAN
EMPTY_VOLUME_TOP = 1e5  # range top when the scenario's volume is 0
MAX_POINTS = 100_000  # volumes one sweep may evaluate (100 options × 100,000 volumes: about 2 s here)


class SweepError(ValueError):
    """A sweep past MAX_POINTS volumes; worded for the user."""


def default_volumes(
    volume: float, breakevens: list[float | None] | tuple = (), points: int = POINTS
) -> np.ndarray:
    """Log-spaced requests/day from volume/100 to volume*100, clamped to 1..1e9.

    The range is widened (by a factor of 2 beyond) to take in any breakeven volume inside 1..1e9, so a
    crossing the results report is always on the plot.
    """
    if volume > 0:
        lo, hi = volume / SPAN, volume * SPAN
    else:
        lo, hi = MIN_VOLUME, EMPTY_VOLUME_TOP
    for b in breakevens:
        if b is not None and math.isfinite(b) and MIN_VOLUME <= b <= MAX_VOLUME:
            lo, hi = min(lo, b / 2), max(hi, b * 2)
    lo = min(max(lo, MIN_VOLUME), MAX_VOLUME / 10)
    hi = max(min(hi, MAX_VOLUME), lo * 10)
    _check_points(points)
    return np.logspace(math.log10(lo), math.log10(hi), max(2, points))


def _check_points(points: int) -> None:
    if points > MAX_POINTS:
        raise SweepError(f"{points:,} volumes is over the limit of {MAX_POINTS:,} for one sweep")


def volume_sweep(
    scenario: Scenario,
    volumes: np.ndarray | list[float] | None = None,
    results: Results | None = None,
) -> dict:
    """Steady monthly cost of every option over a range of requests/day.

    `results` (the scenario's `engine.compute` output), when given, supplies the breakeven volumes so
    they need not be searched again; without it they are computed with `engine.breakeven_volumes`.

    Returns a dict:
      volumes    numpy array of requests/day (ascending)
      names      option names, in scenario order
      costs      numpy array (options x volumes): month-1 steady monthly cost
      by_name    {name: numpy array} (same data as costs)
      breakeven  {name: requests/day or None}; None for the baseline and for an option dearer at 1e9;
                 0.0 for an option never dearer than the baseline
      baseline   baseline option name (or None), today = the scenario's requests/day, currency
    """
    rows = engine.input_arrays(scenario)
    names = [o.name for o in scenario.options]
    if results is not None and [o.name for o in results.options] == names:
        breakeven = [o.breakeven_requests_per_day for o in results.options]
    elif names:
        breakeven = engine.breakeven_volumes(rows)
    else:
        breakeven = []
    today = float(scenario.workload.requests_per_day)
    if volumes is None:
        vols = default_volumes(today, breakeven)
    else:
        vols = np.asarray(volumes, dtype=float)
        _check_points(len(vols))
    costs = engine.steady_costs(rows, vols) if names and len(vols) else np.zeros((len(names), len(vols)))
    base = scenario.baseline_index() if names else None
    return {
        "volumes": vols,
        "names": names,
        "costs": costs,
        "by_name": {n: costs[i] for i, n in enumerate(names)},
        "breakeven": dict(zip(names, breakeven, strict=False)),
        "baseline": names[base] if base is not None else None,
        "today": today,
        "currency": scenario.currency,
    }
