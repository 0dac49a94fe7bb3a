"""What one self-hosted GPU serves, as formula trees that sit below the schema.

The engine's output tokens per request (`TOUT`) and throughput per GPU (`THR`) are two of its stages, and
the capacity it plans per GPU (`CAPACITY`: throughput × target utilization) is the divisor of its GPU
count. They are defined here rather than in the engine so that the schema's cross-check (a self-hosted
option must plan at least MIN_CAPACITY requests/s per GPU) and the breakeven search evaluate these very
trees (`Node.arr`) instead of a second formula.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from workbench.model.formula import Col, Const, Def, Gt, Meta, When

MIN_CAPACITY = 1e-9
"""Requests per second one self-hosted GPU must plan to serve (throughput × utilization); below it the
GPU count of a large workload is no longer a finite number."""

TOUT = Def("tout", Col("Tout") * (1.0 - Col("output_red")), Meta("output tokens/request", "number"))
THR = Def(
    "thr",
    When(
        Gt(Col("rps"), Const(0)),
        Col("rps"),
        Col("tps") / Col("tout"),
        why_then="throughput given in requests/s",
        why_else="throughput from tokens/s ÷ output tokens",
    ),
    Meta("throughput per GPU", "number", "req/s"),
)
CAPACITY = Def("capacity", Col("thr") * Col("util"), Meta("capacity per GPU", "number", "req/s"))
DEFS = (TOUT, THR, CAPACITY)
READS = tuple(sorted(set().union(*(d.node.columns() for d in DEFS)) - {d.name for d in DEFS}))
"""The input columns these formulas read."""


def evaluate(env: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """`env` (input columns, numpy) with tout, thr and capacity added, evaluated by the trees."""
    out = dict(env)
    with np.errstate(all="ignore"):
        for d in DEFS:
            out[d.name] = np.asarray(d.node.arr(out), dtype=np.float64)
    return out


def below_floor(env: Mapping[str, np.ndarray]) -> np.ndarray:
    """For each option (row), whether it plans under MIN_CAPACITY requests/s per GPU: a large workload
    would need an infinite number of GPUs. `env`: the READS columns. No output tokens and no requests/s
    given: nothing to serve, no floor."""
    out = evaluate(dict(env))
    served = (out["tout"] > 0) | (np.asarray(env["rps"]) > 0)
    return served & (out["capacity"] < MIN_CAPACITY)
