"""The compute of pre-training (docs/model.md 6.3), as formula trees that sit below the schema.

The engine's pre-training tokens (`TOKENS`) and GPU-hours (`GPU_HOURS`) are two of its stages. They are
defined here rather than in the engine so that the schema's cross-check (a run must stay under
MAX_GPU_HOURS, or its cost is no longer a number) evaluates these very trees instead of a second formula,
as the capacity floor does with workbench.model.capacity.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from workbench.model.formula import Col, Const, Def, Gt, Meta, When

MAX_GPU_HOURS = 1e18
"""Above this a pre-training run's GPU-hours (and so its bill) is no longer a finite number in every
view; like the capacity floor of a self-hosted GPU, such a run is refused rather than priced."""

TOKENS = Def(
    "pre_tokens_eff",
    When(
        Gt(Col("pre_tokens"), Const(0)),
        Col("pre_tokens"),
        20.0 * Col("pt_params"),
        why_else="pretrain_tokens = 0: 20 tokens per parameter (compute-optimal)",
    ),
    Meta("pre-training tokens", "number", "tokens"),
)
GPU_HOURS = Def(
    "pretrain_gpu_hours",
    When(
        Col("pretrains"),
        Col("pt_attempts")
        * 6.0
        * Col("pt_params")
        * Col("pre_tokens_eff")
        / (Col("pt_tflops") * Const(1e12, "1e12") * Col("pt_mfu"))
        / 3600.0,
        0.0,
        why_then="6 FLOPs per parameter per token, at the MFU of the GPU's BF16 peak",
        why_else="the option pre-trains no model",
    ),
    Meta("pre-training GPU-hours", "number", "GPU-h"),
)
DEFS = (TOKENS, GPU_HOURS)
READS = tuple(sorted(set().union(*(d.node.columns() for d in DEFS)) - {d.name for d in DEFS}))
"""The input columns these formulas read."""


def too_long(env: Mapping[str, np.ndarray]) -> np.ndarray:
    """For each option (row), whether its pre-training run needs more than MAX_GPU_HOURS (or a number
    that is not finite). `env`: the READS columns."""
    out = dict(env)
    with np.errstate(all="ignore"):
        for d in DEFS:
            out[d.name] = np.asarray(d.node.arr(out), dtype=np.float64)
    return ~(out["pretrain_gpu_hours"] <= MAX_GPU_HOURS)
