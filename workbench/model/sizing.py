"""GPU sizing: a dated table of GPUs and a roofline estimate of self-hosted throughput.

Self-hosted throughput is the assumption users know least; this gives a defensible first number.

The estimate (continuous batching, every sequence `input_tokens` in and `output_tokens` out):

- memory: weights = params x bytes per weight; KV cache per token = 2 (K and V) x layers x KV heads x
  head dim x bytes per KV element. The largest batch that fits is
  (GPUs x memory x MEMORY_USABLE - weights) / ((input + output) x KV per token).
- decode is memory-bound at small batches: one step reads the weights once and every sequence's KV
  cache (at its average length, input + output/2), at BANDWIDTH_EFFICIENCY of peak bandwidth; it is
  compute-bound when batch x 2 x params FLOPs take longer at DECODE_COMPUTE_EFFICIENCY of peak.
- prefill is compute-bound: 2 x params x input tokens FLOPs per request at PREFILL_COMPUTE_EFFICIENCY.
- a cycle serves `batch` requests: batch prefills plus output_tokens decode steps. Output tokens/s =
  batch x output / cycle time; per GPU = that / GPUs. With more than one GPU (tensor parallel) the
  aggregate bandwidth and compute are scaled by TENSOR_PARALLEL_EFFICIENCY (all-reduce overhead).
- FP8 uses the GPU's FP8 tensor throughput where it has one; otherwise (A100, A10G, int8/int4 weights)
  weights are stored small but the arithmetic runs at BF16 rates.

Attention FLOPs, sampling, scheduling gaps and CPU overhead are ignored; the efficiency factors absorb
them. Checked against NVIDIA's published TensorRT-LLM measurements in tests/test_sizing.py and README.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import asdict, dataclass

TABLE_DATE = "2026-11-22"  # when this table was compiled

# Stated efficiency factors (shares of the datasheet peak reached in practice).
MEMORY_USABLE = (
    0.90  # share of GPU memory for weights + KV cache (TensorRT-LLM's default KV fraction is 0.90)
)
BANDWIDTH_EFFICIENCY = 0.80  # achieved share of peak memory bandwidth in decode kernels
DECODE_COMPUTE_EFFICIENCY = 0.60  # achieved share of peak tensor FLOPs in large-batch decode GEMMs
PREFILL_COMPUTE_EFFICIENCY = 0.60  # achieved share of peak tensor FLOPs in prefill
TENSOR_PARALLEL_EFFICIENCY = 0.85  # with 2+ GPUs: throughput lost to all-reduce between layers
MAX_BATCH = 4096  # the largest batch the estimate considers (TensorRT-LLM's largest CUDA-graph batch is 8192)

PRECISION_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}

_H100 = "NVIDIA H100 Tensor Core GPU datasheet (dense = the with-sparsity figures halved)"
_A100 = "NVIDIA A100 Tensor Core GPU datasheet (dense)"
_RUNPOD = "RunPod per-GPU hourly rate, as tabulated by deploybase.ai 'RunPod GPU Pricing: 2026 Comprehensive Pricing Guide'"


@dataclass(frozen=True)
class GpuSpec:
    name: str
    memory_gb: float
    bandwidth_gbs: float  # peak memory bandwidth, GB/s
    bf16_tflops: float  # dense BF16 tensor TFLOPS
    fp8_tflops: float | None  # dense FP8 tensor TFLOPS; None = no FP8 tensor cores
    spec_source: str
    hourly: float  # typical on-demand price of one GPU-hour, USD
    price_source: str
    price_date: str

    @property
    def price_label(self) -> str:
        return f"{self.price_source}, {self.price_date}"


GPUS: tuple[GpuSpec, ...] = (
    GpuSpec("H100 SXM", 80, 3350, 989, 1979, _H100 + ", H100 SXM", 2.69, _RUNPOD, "2026-03-10"),
    GpuSpec("H100 PCIe", 80, 2000, 756, 1513, _H100 + ", H100 PCIe", 1.99, _RUNPOD, "2026-03-10"),
    GpuSpec(
        "H200",
        141,
        4800,
        989,
        1979,
        "NVIDIA H200 Tensor Core GPU datasheet, H200 SXM (dense)",
        3.59,
        _RUNPOD,
        "2026-03-10",
    ),
    GpuSpec(
        "A100 40GB",
        40,
        1555,
        312,
        None,
        _A100 + ", A100 40GB SXM; no FP8",
        1.48,
        "Lambda on-demand 1x A100 40GB, as listed in techbytes.app 'Serverless GPU Pricing Matrix'",
        "2026-05-07",
    ),
    GpuSpec(
        "A100 80GB",
        80,
        2039,
        312,
        None,
        _A100 + ", A100 80GB SXM; no FP8",
        1.39,
        _RUNPOD + " (A100 SXM)",
        "2026-03-10",
    ),
    GpuSpec("L40S", 48, 864, 362, 733, "NVIDIA L40S datasheet (dense)", 0.79, _RUNPOD, "2026-03-10"),
    GpuSpec("L4", 24, 300, 121, 242.5, "NVIDIA L4 datasheet (dense)", 0.44, _RUNPOD, "2026-03-10"),
    GpuSpec(
        "A10G",
        24,
        600,
        125,
        None,
        "NVIDIA A10 datasheet (dense); the A10G is AWS's A10 variant and has no datasheet of its own; no FP8",
        1.006,
        "AWS EC2 on-demand g5.xlarge (1x A10G), us-east-1, as quoted by factualminds.com",
        "2026-06-17",
    ),
    GpuSpec(
        "RTX 4090",
        24,
        1008,
        165.2,
        330.3,
        "NVIDIA Ada Lovelace architecture whitepaper, GeForce RTX 4090 (dense, FP32 accumulate)",
        0.34,
        _RUNPOD,
        "2026-03-10",
    ),
)


@dataclass(frozen=True)
class ModelShape:
    """What the KV cache depends on. kv_elements_per_token = 2 x layers x KV heads x head dim."""

    name: str
    params: float
    layers: int
    kv_heads: int
    head_dim: int

    @property
    def kv_elements_per_token(self) -> int:
        return 2 * self.layers * self.kv_heads * self.head_dim


# Shapes from the models' published configs (config.json: num_hidden_layers, num_key_value_heads, head_dim).
MODELS: tuple[ModelShape, ...] = (
    ModelShape("llama-3.1-8b", 8.03e9, 32, 8, 128),
    ModelShape("llama-3.3-70b", 70.6e9, 80, 8, 128),
    ModelShape("llama-3.1-405b", 405.9e9, 126, 8, 128),
    ModelShape("mistral-7b", 7.25e9, 32, 8, 128),
    ModelShape("qwen2.5-7b", 7.62e9, 28, 4, 128),
    ModelShape("qwen2.5-32b", 32.8e9, 64, 8, 128),
)


def kv_elements_guess(params: float) -> int:
    """KV elements per token for a model known only by its size: a fit through Llama 3's 8B and 70B
    (grouped-query attention, 8 KV heads); 405B comes out about 30% high. Pass the shape when known."""
    return int(round(65536 * (params / 8.03e9) ** 0.42))


class SizingError(ValueError):
    """A sizing input that cannot be used, worded for one line."""


def gpu_named(name: str) -> GpuSpec:
    """The table's GPU by name, forgiving case, spaces and dashes; SizingError naming the choices."""

    def norm(s: str) -> str:
        return re.sub(r"[\s_\-]+", "", s.lower())

    for g in GPUS:
        if norm(g.name) == norm(name):
            return g
    hits = [g for g in GPUS if norm(name) and norm(name) in norm(g.name)]
    if len(hits) == 1:
        return hits[0]
    within = sorted((g for g in GPUS if norm(g.name) in norm(name)), key=lambda g: -len(g.name))
    if within:  # a scenario's row name such as "H100 PCIe (RunPod)"
        return within[0]
    names = [g.name for g in GPUS]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.4)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise SizingError(f"unknown GPU {name!r}{hint}; known: {', '.join(names)}")


def model_named(name: str) -> ModelShape:
    key = name.lower().strip()
    for m in MODELS:
        if m.name == key:
            return m
    close = difflib.get_close_matches(key, [m.name for m in MODELS], n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise SizingError(f"unknown model {name!r}{hint}; known: {', '.join(m.name for m in MODELS)}")


@dataclass(frozen=True)
class Estimate:
    gpu: str
    gpus: int
    precision: str
    kv_precision: str
    params: float
    input_tokens: int
    output_tokens: int
    weights_gb: float
    kv_gb_per_sequence: float
    memory_gb: float  # usable memory over all GPUs (MEMORY_USABLE of the total)
    max_batch: int
    batch: int
    fits: bool
    why: str  # when it does not fit: why; otherwise empty
    decode_bound: str  # "memory" or "compute"
    step_ms: float  # one decode step for the whole batch
    prefill_share: float  # share of time spent in prefill
    output_tokens_per_second: float  # all GPUs together
    tokens_per_second_per_gpu: float
    tokens_per_second_per_user: float
    requests_per_second_per_gpu: float
    hourly: float
    cost_per_million_output: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def estimate(
    params: float,
    precision: str,
    gpu: GpuSpec | str,
    input_tokens: float = 1000,
    output_tokens: float = 500,
    batch: int | None = None,
    gpus: int = 1,
    kv_precision: str | None = None,
    kv_elements_per_token: int | None = None,
) -> Estimate:
    """Roofline estimate of one serving replica (see the module docstring for the formulas)."""
    spec = gpu_named(gpu) if isinstance(gpu, str) else gpu
    precision = precision.lower()
    if precision not in PRECISION_BYTES:
        raise SizingError(f"unknown precision {precision!r}; known: {', '.join(PRECISION_BYTES)}")
    kv_precision = (kv_precision or ("fp8" if precision == "fp8" else "bf16")).lower()
    if kv_precision not in PRECISION_BYTES:
        raise SizingError(f"unknown KV-cache precision {kv_precision!r}; known: {', '.join(PRECISION_BYTES)}")
    if not (math.isfinite(params) and 1e6 <= params <= 1e13):
        raise SizingError(f"model size {params:g} parameters is out of range (1e6 to 1e13)")
    if not (1 <= gpus <= 64):
        raise SizingError(f"GPUs per replica {gpus} is out of range (1 to 64)")
    lin, lout = float(input_tokens), float(output_tokens)
    if not (0 <= lin <= 1e7 and 1 <= lout <= 1e7):
        raise SizingError("input tokens must be 0 to 1e7 and output tokens 1 to 1e7")
    if batch is not None and not (1 <= batch <= 1_000_000):
        raise SizingError(f"batch {batch} is out of range (1 to 1,000,000)")

    kv_elems = kv_elements_per_token or kv_elements_guess(params)
    weights = params * PRECISION_BYTES[precision]
    kv_tok = kv_elems * PRECISION_BYTES[kv_precision]
    memory = gpus * spec.memory_gb * 1e9 * MEMORY_USABLE
    seq_kv = (lin + lout) * kv_tok
    free = memory - weights
    max_batch = int(max(0.0, free) // seq_kv) if seq_kv > 0 else MAX_BATCH
    max_batch = min(max_batch, MAX_BATCH)
    b = batch if batch is not None else max(1, max_batch)
    why = ""
    if free <= 0:
        why = (
            f"weights need {weights / 1e9:,.1f} GB but {gpus} x {spec.name} give {memory / 1e9:,.1f} GB "
            f"({MEMORY_USABLE:.0%} of {gpus * spec.memory_gb:g} GB)"
        )
    elif max_batch < 1:
        why = f"one sequence's KV cache ({seq_kv / 1e9:,.2f} GB) does not fit beside the weights"
    elif b > max_batch:
        why = f"a batch of {b} needs {b * seq_kv / 1e9:,.1f} GB of KV cache; {free / 1e9:,.1f} GB is free (max batch {max_batch})"
    fits = not why

    scale = gpus * (TENSOR_PARALLEL_EFFICIENCY if gpus > 1 else 1.0)
    bandwidth = spec.bandwidth_gbs * 1e9 * BANDWIDTH_EFFICIENCY * scale
    peak = (spec.fp8_tflops if precision == "fp8" and spec.fp8_tflops else spec.bf16_tflops) * 1e12 * scale
    t_mem = (weights + b * (lin + lout / 2) * kv_tok) / bandwidth
    t_comp = b * 2 * params / (peak * DECODE_COMPUTE_EFFICIENCY)
    step = max(t_mem, t_comp)
    prefill = 2 * params * lin / (peak * PREFILL_COMPUTE_EFFICIENCY)
    cycle = b * prefill + lout * step
    total = b * lout / cycle
    per_gpu = total / gpus
    cost = spec.hourly / (per_gpu * 3600) * 1e6 if per_gpu > 0 else None
    return Estimate(
        gpu=spec.name,
        gpus=gpus,
        precision=precision,
        kv_precision=kv_precision,
        params=params,
        input_tokens=int(lin),
        output_tokens=int(lout),
        weights_gb=weights / 1e9,
        kv_gb_per_sequence=seq_kv / 1e9,
        memory_gb=memory / 1e9,
        max_batch=max_batch,
        batch=b,
        fits=fits,
        why=why,
        decode_bound="memory" if t_mem >= t_comp else "compute",
        step_ms=step * 1e3,
        prefill_share=b * prefill / cycle,
        output_tokens_per_second=total if fits else 0.0,
        tokens_per_second_per_gpu=per_gpu if fits else 0.0,
        tokens_per_second_per_user=1 / step if fits else 0.0,
        requests_per_second_per_gpu=per_gpu / lout if fits else 0.0,
        hourly=spec.hourly,
        cost_per_million_output=cost if fits else None,
    )


# Published measurements the estimate is checked against: NVIDIA TensorRT-LLM performance overview
# (docs/source/performance/perf-overview.md, the v1.0 tables: H100 SXM 80GB / H200 SXM in DGX systems,
# FP8 weights from NVIDIA's ModelOpt collection, trtllm-bench at maximum load, "Total Output Throughput").
# (model, params, gpu, gpus, input, output, published output tokens/s over all GPUs)
PUBLISHED: tuple[tuple[str, str, int, int, int, float], ...] = (
    ("llama-3.1-8b", "H100 SXM", 1, 1000, 1000, 15220),
    ("llama-3.1-8b", "H100 SXM", 1, 128, 2048, 22714),
    ("llama-3.1-8b", "H100 SXM", 1, 500, 2000, 17660),
    ("llama-3.1-8b", "H100 SXM", 1, 2048, 2048, 9305),
    ("llama-3.1-8b", "H100 SXM", 1, 5000, 500, 3459),
    ("llama-3.1-8b", "H200", 1, 1000, 1000, 17744),
    ("llama-3.3-70b", "H100 SXM", 2, 1000, 1000, 4205),
    ("llama-3.3-70b", "H100 SXM", 2, 128, 2048, 6651),
    ("llama-3.3-70b", "H100 SXM", 2, 2048, 2048, 3082),
    ("llama-3.3-70b", "H200", 1, 1000, 1000, 2909),
)
PUBLISHED_SOURCE = (
    "NVIDIA TensorRT-LLM performance overview (perf-overview.md, v1.0 tables), FP8, total output tokens/s"
)


def published_comparison() -> list[dict]:
    """Each published point with our estimate and the error (estimate / published - 1)."""
    out = []
    for model, gpu, n, lin, lout, published in PUBLISHED:
        shape = model_named(model)
        e = estimate(
            shape.params, "fp8", gpu, lin, lout, gpus=n, kv_elements_per_token=shape.kv_elements_per_token
        )
        out.append(
            {
                "model": model,
                "gpu": gpu,
                "gpus": n,
                "input": lin,
                "output": lout,
                "published": published,
                "estimate": e.output_tokens_per_second,
                "error": e.output_tokens_per_second / published - 1,
                "batch": e.batch,
                "bound": e.decode_bound,
            }
        )
    return out
