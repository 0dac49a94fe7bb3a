"""GPU sizing: a dated table of GPUs and a roofline estimate of self-hosted throughput and latency.

Self-hosted throughput is the assumption users know least; this gives a defensible first number and says
how far it stood from published runs (workbench.model.published).

The estimate, for one replica of `gpus` GPUs serving requests of `input_tokens` in and `output_tokens`
out with continuous batching:

- memory: weights = total params x bytes per weight; KV cache per token = KV elements x bytes (2 x layers
  x KV heads x head dim; a shape may state its own, e.g. DeepSeek's latent cache). The cache gets
  MEMORY_USABLE of the memory the way the engine counts it. vLLM and SGLang (paged attention) admit a
  sequence for the cache it holds, on average input + output/2 tokens; TensorRT-LLM reserves the full
  length first. The most sequences at once is the cache over that, capped by the engine's own limit.
  A replica "fits" when the weights and one full-length sequence fit; a larger concurrency is served at
  the most that fit and the rest queue (`queued`).
- decode step = max(read the weights it touches, batch x 2 x active params FLOPs) + read every sequence's
  KV cache (attention runs in kernels of its own) + all-reduce (tensor parallel) + a fixed cost per layer.
  Reads go at BANDWIDTH_EFFICIENCY of peak bandwidth, FLOPs at DECODE_COMPUTE_EFFICIENCY of peak, each
  scaled by the GPU's measured share of its datasheet peaks against the H100's (GpuSpec.bandwidth_scale,
  gemm_scale, allreduce_scale; Azure's microbenchmarks). A mixture of experts keeps all its weights in
  memory, computes with the active ones, reads the experts its batch routes to (from the active weights at
  batch 1 towards all of them), and its arithmetic (prefill and decode) runs at the shape's
  expert_efficiency of the dense roofline (MOE_KERNEL_EFFICIENCY for DeepSeek's shapes, where it was
  measured; 1 for the rest); the reads do not. A
  latent-attention cache (DeepSeek) has one head, so every tensor-parallel GPU keeps and reads all of it.
- layouts "dp" and "ep" (a mixture of experts with attention data-parallel): every GPU keeps and reads
  the shared weights whole and caches only its own sequences. Under "ep" (experts expert-parallel) each GPU
  also holds and reads 1/gpus of the routed experts whole and sends each token to its experts' GPUs and
  back (two all-to-alls a layer, in place of the all-reduces), and the expert arithmetic runs at the
  shape's ep_expert_efficiency (EP_EXPERT_EFFICIENCY for DeepSeek's shapes); under "dp" the experts are
  tensor-parallel, as under "tp".
- a burst (`burst=True`: `batch` requests at once, output lengths varying about the mean) runs until its
  longest request ends, the tail at a small batch: throughput = all output over that time.
- prefill: 2 x active params x input tokens FLOPs per request at PREFILL_COMPUTE_EFFICIENCY of peak
  (divided by the shape's expert_efficiency for a mixture of experts).
- a cycle serves `batch` requests: batch prefills plus output_tokens decode steps; output tokens/s =
  batch x output / cycle.
- tensor parallel: every layer ends in two all-reduces of the activations, over NVLink or PCIe
  (ALLREDUCE_GBS, ALLREDUCE_LATENCY_US); `tp_efficiency` is the share of the time not spent in them,
  so it falls with the degree, the batch and the interconnect.
- latency: TTFT = the request's own prefill, the wait for prefills ahead of it (a queue busy prefill's
  share of the time) and one decode step, plus, beyond what fits, the wait for a slot; TPOT = a decode
  step plus the other sequences' prefills spread over this one's output.
- calibration divides every time by a factor, so a measured configuration reproduces the measurement.
- FP8 uses the GPU's FP8 tensor throughput where it has one (FP4 its FP4 rate, on the B200); otherwise
  (A100, A10G, int8/int4 weights) weights are stored small but the arithmetic runs at BF16 rates.

The factors were set against the published points marked used_for_tuning: role "tuning" (set A), and
"validation" points (sets B and E, each evaluated blind once) used since to set or check a change, each with
its note. The "test" points were read after the last freeze and never used; see
workbench.model.published for each set and what it was used for.
"""

from __future__ import annotations

import datetime
import difflib
import heapq
import itertools
import math
import random
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from workbench.model import fmt

TABLE_DATE = "2026-12-03"  # when this table was compiled

ENGINES = ("vllm", "trtllm", "sglang")
INTERCONNECTS = ("nvlink", "pcie")

# Stated efficiency factors (shares of the datasheet peak reached in practice).
MEMORY_USABLE = 0.90  # share of GPU memory for weights + KV cache (vLLM's and TensorRT-LLM's default 0.90)
BANDWIDTH_EFFICIENCY = 0.80  # achieved share of peak memory bandwidth in decode kernels
DECODE_COMPUTE_EFFICIENCY = 0.45  # achieved share of peak tensor FLOPs in large-batch decode GEMMs
PREFILL_COMPUTE_EFFICIENCY = 0.60  # achieved share of peak tensor FLOPs in prefill
# Tensor parallel: every layer ends in two all-reduces of the activations (hidden x 2 bytes a token),
# sent over the interconnect at ALLREDUCE_GBS (achieved all-reduce bus bandwidth per GPU), each paying
# ALLREDUCE_LATENCY_US; the GPUs wait for them (no overlap with the arithmetic).
ALLREDUCE_GBS = {"nvlink": 200.0, "pcie": 15.0}
ALLREDUCE_LATENCY_US = {"nvlink": 15.0, "pcie": 80.0}
LAYER_OVERHEAD_US = 30.0  # per layer and decode step, whatever the batch: kernel launches and syncs
# Mixture of experts: the share of the dense arithmetic roofline the expert layers reach, in prefill and decode
# (grouped GEMMs over a few tokens per expert, uneven routing). It scales the arithmetic only: reading the
# experts a step touches is a plain weight read (Mixtral 8x7B at batch 8 is one). No independent measurement
# was found, so it was set on the three DeepSeek-R1 points (8 x H200, 1000 ShareGPT requests at once), which
# count as tuning points: 0.061 puts the geometric mean of the three estimates on that of the runs (vLLM 2,621,
# SGLang 3,172, TensorRT-LLM 1,619 tok/s). The same runs' other figures say the arithmetic, not the reads, is
# what is slow, and this value fits them too: their mean TTFT is 7-20 s, where the dense roofline prefills all
# 219k prompt tokens in 1.7 s (with the factor 28 s, a mean wait of about 14 s); their peak output is 7,451-9,699
# tok/s, against 5,100 tok/s estimated for a step of 1000 sequences.
# It belongs to DeepSeek's design (latent attention; many small experts: V3/R1 has 256, 8 per token, about 31
# tokens per expert at 1000 sequences; V2-Lite 64, 6 per token), the shapes it was measured on, not to every
# mixture of experts: applied to Mixtral 8x7B (8 large experts, about 250
# tokens per expert at 1000 sequences) it put two H100s at 577 tok/s per GPU and a 1 s TPOT, a tenth of
# what MLPerf's Mixtral results show. Other MoE shapes keep the dense roofline until a run measures theirs.
# Test set G then showed it belongs to the engine configurations it was set on too: TensorRT-LLM's DeepSeek-R1
# runs with attention data parallelism and expert parallelism reach about five times it (-69%, -82%).
MOE_KERNEL_EFFICIENCY = 0.061
# How a replica of several GPUs splits a mixture of experts. "tp": everything tensor-parallel (vLLM's and
# SGLang's default; the layout MOE_KERNEL_EFFICIENCY was set on). "dp": attention data-parallel, experts
# tensor-parallel (SGLang --enable-dp-attention alone): each GPU keeps the shared weights (attention, dense
# layers, shared experts) whole and serves its own sequences with their own cache; the experts are split as
# under "tp", with its all-reduces and its expert share. "ep": attention data-parallel and the experts
# expert-parallel (SGLang --enable-dp-attention with --enable-ep-moe, TensorRT-LLM enable_attention_dp with
# moe_expert_parallel_size, vLLM --data-parallel-size with --enable-expert-parallel): as "dp", but each GPU
# holds 1/gpus of the routed experts whole, and sends each token to the GPUs of its experts and back (two
# all-to-alls per layer) instead of the all-reduces. Under "dp" and "ep" every GPU runs its own scheduler.
LAYOUTS = ("tp", "dp", "ep")
# Under "ep" DeepSeek's expert layers reach EP_EXPERT_EFFICIENCY of the dense arithmetic roofline (each GPU
# runs whole experts, not a tensor-parallel slice of every one). No independent measurement was found; it was
# set on the two TensorRT-LLM DeepSeek-R1 runs of test set G (attention DP + EP8, 1024 in / 2048 out; 8 x H200
# FP8 at 1,024 at once, 8 x B200 FP4 at 3,072), which read -69% and -82% with the tensor-parallel layout and
# its factor and are tuning points since: 0.187 puts the geometric mean of the two estimates on that of the
# runs (+2% and -2%; one factor fits both GPUs once FP4 runs at the B200's FP4 rate). About 3 times the
# tensor-parallel share. Test set H was read after it was set.
EP_EXPERT_EFFICIENCY = 0.187
# An all-to-all sends a token's activations to the GPUs holding its experts: FP8 out (1 byte an element) and
# BF16 back (2 bytes), as DeepEP and TensorRT-LLM's all-to-all do; each call pays ALLREDUCE_LATENCY_US.
ALLTOALL_BYTES_PER_ELEMENT = 3.0
MAX_BATCH = 4096  # the largest batch the estimate considers (TensorRT-LLM's largest CUDA-graph batch is 8192)

PRECISION_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "fp4": 0.5, "int8": 1.0, "int4": 0.5}
# Weights whose arithmetic runs on FP8 tensor cores where the GPU has them (FP4 on FP4 tensor cores where the
# GPU has them, the B200; else at the FP8 rate); int8/int4 weights are widened to BF16 for the arithmetic.
FP8_ARITHMETIC = ("fp8", "fp4")

# The KV cache each engine keeps when not told: vLLM and SGLang keep the model's 16-bit activation type
# whatever the weights (vLLM engine args: --kv-cache-dtype "auto" uses the model data type; SGLang's
# quantized KV cache page: FP8/FP4 "instead of the default model precision in BF16"); TensorRT-LLM
# follows the checkpoint's kv_cache_quant_algo, FP8 in NVIDIA's FP8 (ModelOpt) checkpoints.
ENGINE_KV_NOTE = {
    "vllm": "vLLM keeps a 16-bit KV cache unless told (--kv-cache-dtype fp8)",
    "trtllm": "TensorRT-LLM keeps an FP8 KV cache with FP8 checkpoints",
    "sglang": "SGLang keeps a 16-bit KV cache unless told (--kv-cache-dtype fp8_e4m3)",
}


def engine_max_sequences(engine: str, gpu: GpuSpec) -> int:
    """The most sequences an engine runs at once by default: vLLM's max_num_seqs is 1024 on GPUs of 70 GiB
    or more other than the A100, else 256 (vllm/engine/arg_utils.py, get_batch_defaults); TensorRT-LLM's
    max_batch_size is 2048; SGLang sizes its running requests from memory (MAX_BATCH here)."""
    if engine == "vllm":
        return 1024 if gpu.memory_gb >= 75 and not gpu.name.startswith("A100") else 256
    if engine == "trtllm":
        return 2048
    return MAX_BATCH


def engine_kv_default(engine: str, precision: str) -> str:
    """The KV-cache precision an engine uses when not told."""
    if engine == "trtllm" and precision in FP8_ARITHMETIC:
        return "fp8"
    return "fp16" if precision == "fp16" else "bf16"


_H100 = "NVIDIA H100 Tensor Core GPU datasheet (dense = the with-sparsity figures halved)"
_A100 = "NVIDIA A100 Tensor Core GPU datasheet (dense)"
# deploybase.ai's RunPod table has a "Spot/hr" and an "On-Demand/hr" column; these rows take the spot one (an
# interruptible rate). Spheron's 'RunPod H100 Pricing 2026' (2026-05-22) quotes the same $2.69 for an H100 SXM
# as Secure Cloud on-demand, so the column's own label is uncertain: treat these as the low end.
_RUNPOD = (
    "RunPod SPOT per-GPU hourly rate (the 'Spot/hr' column, not on-demand), as tabulated by deploybase.ai "
    "'RunPod GPU Pricing: 2026 Comprehensive Pricing Guide'"
)

# Microbenchmarks of one GPU in each of Azure's VM types, same tools and method on every GPU (hipBLASLt or
# cuBLASLt GEMM with random data after 10,000 warm-up runs; STREAM-like HBM kernels): Microsoft Azure,
# "AI-benchmarking-guide", Azure_Results/ND_<VM>_results.md (https://github.com/Azure/AI-benchmarking-guide;
# read from the copy samuel-bohman/AI-benchmarking-guide, ND H100 v5 at commit 26d18e9, ND H200 v5 at 0de7d01,
# ND MI300X v5 at 3de0c29, ND A100 v4 at 26d18e9; 2024-2025). Shares = measured / datasheet peak.
_AZURE = "Azure AI-benchmarking-guide microbenchmarks (github.com/Azure/AI-benchmarking-guide, Azure_Results)"
# H100 SXM (ND H100 v5): Dot 3.18 TB/s of 3.35; FP8 GEMM 32768^3 1382.2 TFLOPS of 1979. The factors above were
# set on H100-class runs, so a GPU's shares count against these.
REFERENCE_BANDWIDTH_SHARE = 3.18 / 3.35
REFERENCE_GEMM_SHARE = 1382.2 / 1979


@dataclass(frozen=True)
class GpuSpec:
    name: str
    memory_gb: float
    bandwidth_gbs: float  # peak memory bandwidth, GB/s
    bf16_tflops: float  # dense BF16 tensor TFLOPS
    fp8_tflops: float | None  # dense FP8 tensor TFLOPS; None = no FP8 tensor cores
    spec_source: str
    hourly: float  # price of one GPU-hour, USD (for RunPod rows, the "Spot/hr" column deploybase tabulates)
    price_source: str
    price_date: str
    interconnect: str = "pcie"  # between the GPUs of one replica: "nvlink" (or a like fabric) or "pcie"
    # Shares of the datasheet peaks a microbenchmark reached on this GPU (None: not published, the H100's
    # are used): memory bandwidth (a read-only STREAM "Dot" kernel, as decode reads) and dense GEMM
    # (the best square GEMM, at FP8 where the GPU has it).
    bandwidth_share: float | None = None
    gemm_share: float | None = None
    # achieved all-reduce bus bandwidth of 8 GPUs at large messages against the H100's in the same test
    allreduce_scale: float = 1.0
    share_source: str = ""
    fp4_tflops: float | None = None  # dense FP4 tensor TFLOPS (Blackwell); None: FP4 runs at the FP8 rate

    @property
    def price_label(self) -> str:
        return f"{self.price_source}, {self.price_date}"

    @property
    def price_kind(self) -> str:
        """What the hourly price is: a spot (interruptible) rate, an on-demand one, or a mix of listings."""
        if "SPOT" in self.price_source:
            return "spot"
        return "on-demand" if "on-demand" in self.price_source else "mixed"

    @property
    def bandwidth_scale(self) -> float:
        """This GPU's measured bandwidth share against the H100 SXM's, on which the factors were set."""
        return (self.bandwidth_share or REFERENCE_BANDWIDTH_SHARE) / REFERENCE_BANDWIDTH_SHARE

    @property
    def gemm_scale(self) -> float:
        """This GPU's measured GEMM share against the H100 SXM's."""
        return (self.gemm_share or REFERENCE_GEMM_SHARE) / REFERENCE_GEMM_SHARE


GPUS: tuple[GpuSpec, ...] = (
    GpuSpec(
        "H100 SXM",
        80,
        3350,
        989,
        1979,
        _H100 + ", H100 SXM",
        2.69,
        _RUNPOD,
        "2026-03-10",
        "nvlink",
        REFERENCE_BANDWIDTH_SHARE,
        REFERENCE_GEMM_SHARE,
        1.0,
        _AZURE + ", ND H100 v5: Dot 3.18 TB/s, FP8 GEMM 1382 TFLOPS, NCCL all-reduce 478.9 GB/s (8 GB)",
    ),
    GpuSpec("H100 PCIe", 80, 2000, 756, 1513, _H100 + ", H100 PCIe", 1.99, _RUNPOD, "2026-03-10", "pcie"),
    GpuSpec(
        "H100 NVL",
        94,
        3900,
        835.5,
        1670.5,
        _H100 + ", H100 NVL; a PCIe card whose NVLink bridge joins only pairs, so counted as PCIe",
        3.07,
        "RunPod on-demand H100 NVL, as listed on gpu.blog/gpus/nvidia-h100-nvl (undated listing, read)",
        "2026-12-03",
        "pcie",
    ),
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
        "nvlink",
        4.48 / 4.8,
        1366.3 / 1979,
        479.98 / 478.87,
        _AZURE
        + ", ND H200 v5: Dot 4.48 TB/s, FP8 GEMM 1366 TFLOPS (16384^3, its best), NCCL all-reduce 480.0 GB/s",
    ),
    GpuSpec(
        "B200",
        180,
        7700,
        2250,
        4500,
        "NVIDIA HGX B200 specifications, per GPU (FP16/BF16 4.5, FP8 9 and FP4 18 PFLOPS halved to dense; "
        "180 GB, 7.7 TB/s)",
        5.98,
        _RUNPOD,
        "2026-03-10",
        "nvlink",
        fp4_tflops=9000,
    ),
    GpuSpec(
        "MI300X",
        192,
        5300,
        1307.4,
        2614.9,
        "AMD Instinct MI300X specifications (dense BF16 1307.4, FP8 2614.9 TFLOPS; 192 GB; 5.3 TB/s); "
        "its all-to-all Infinity Fabric counts as NVLink-class",
        1.99,
        "median MI300X rate over providers, cliffcenter.com research note 'AMD inference economics'",
        "2026-05-18",
        "nvlink",
        3.87 / 5.3,
        1159.5 / 2614.9,
        316.82 / 478.87,
        _AZURE
        + ", ND MI300X v5 (ROCm 6.x): Dot 3.87 TB/s, FP8 GEMM 1159.5 TFLOPS (6144x12288x12288, its best), "
        "RCCL all-reduce 316.8 GB/s",
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
        "nvlink",
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
        "nvlink",
        1.75 / 2.039,
        256.5 / 312,
        231.58 / 478.87,
        _AZURE + ", ND A100 v4: Dot 1.75 TB/s, FP16 GEMM 256.5 TFLOPS (16384^3; no FP8 on the A100, and the "
        "H100's FP8 and FP16 tuning points fit one factor), NCCL all-reduce 231.6 GB/s",
    ),
    GpuSpec(
        "A100 PCIe",
        80,
        1935,
        312,
        None,
        _A100 + ", A100 80GB PCIe (1,935 GB/s); no FP8; NVLink bridges join only pairs",
        1.19,
        _RUNPOD + " (A100 PCIe)",
        "2026-03-10",
        "pcie",
    ),
    GpuSpec(
        "A40",
        48,
        696,
        149.7,
        None,
        "NVIDIA A40 datasheet: 48 GB GDDR6, 696 GB/s, BF16 tensor 149.7 TFLOPS dense (299.4 with sparsity); "
        "no FP8 (as reproduced by hmc-tech.com 'NVIDIA A100 vs NVIDIA A40', read 2026-12-03); a PCIe card",
        1.224,
        "RunPod Serverless on-demand flex rate for the 'A6000, A40' 48 GB class, $0.00034 per second x 3600 "
        "(docs.runpod.io/serverless/pricing, read)",
        "2026-12-03",
        "pcie",
    ),
    GpuSpec("L40S", 48, 864, 362, 733, "NVIDIA L40S datasheet (dense)", 0.79, _RUNPOD, "2026-03-10", "pcie"),
    GpuSpec("L4", 24, 300, 121, 242.5, "NVIDIA L4 datasheet (dense)", 0.44, _RUNPOD, "2026-03-10", "pcie"),
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
        "pcie",
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
        "pcie",
    ),
)


@dataclass(frozen=True)
class ModelShape:
    """What the KV cache and the arithmetic depend on. KV elements per token = 2 x layers x KV heads x
    head dim, unless the shape states its own (`kv_elements`, e.g. a latent-attention cache)."""

    name: str
    params: float
    layers: int
    kv_heads: int
    head_dim: int
    active_params: float | None = None  # mixture of experts: parameters used per token; None = dense
    kv_elements: int | None = None
    kv_replicated: bool = False  # a latent cache of one head: every tensor-parallel GPU keeps all of it
    expert_efficiency: float = 1.0  # share of the dense arithmetic roofline its expert layers reach
    experts: tuple[int, int] | None = None  # mixture of experts: routed experts, and how many a token uses
    ep_expert_efficiency: float = 1.0  # the same share under the "ep" layout (experts expert-parallel)

    @property
    def kv_elements_per_token(self) -> int:
        return self.kv_elements or 2 * self.layers * self.kv_heads * self.head_dim

    def kwargs(self) -> dict[str, Any]:
        """What estimate() takes from a known shape (one place, so every caller passes all of it)."""
        return {
            "params": self.params,
            "active_params": self.active_params,
            "kv_elements_per_token": self.kv_elements_per_token,
            "layers": self.layers,
            "kv_replicated": self.kv_replicated,
            "expert_efficiency": self.expert_efficiency,
            "experts": self.experts,
            "ep_expert_efficiency": self.ep_expert_efficiency,
        }


# Shapes from the models' published configs (config.json: num_hidden_layers, num_key_value_heads, head_dim).
MODELS: tuple[ModelShape, ...] = (
    ModelShape("llama-3.1-8b", 8.03e9, 32, 8, 128),
    ModelShape("llama-3.3-70b", 70.6e9, 80, 8, 128),
    ModelShape("llama-3.1-70b", 70.6e9, 80, 8, 128),
    ModelShape("llama-3.1-405b", 405.9e9, 126, 8, 128),
    ModelShape("mistral-7b", 7.25e9, 32, 8, 128),
    ModelShape("qwen2.5-7b", 7.62e9, 28, 4, 128),
    ModelShape("qwen2.5-32b", 32.8e9, 64, 8, 128),
    ModelShape("qwen3-8b", 8.19e9, 36, 8, 128),
    # Added for the test points: Llama 2 (7B and 13B attend with a KV head per query head; 70B has 8),
    # GPT-J 6B (28 layers, 16 heads of 256), Qwen2.5-14B (48 layers; 8 KV heads, which matter little at
    # batch 1). Shapes from the models' config.json as quoted in the research notes.
    ModelShape("llama-2-7b", 6.74e9, 32, 32, 128),
    ModelShape("llama-2-13b", 13.02e9, 40, 40, 128),
    ModelShape("llama-2-70b", 68.98e9, 80, 8, 128),
    ModelShape("gpt-j-6b", 6.05e9, 28, 16, 256),
    ModelShape("qwen2.5-14b", 14.77e9, 48, 8, 128),
    # Qwen3-32B: 64 layers, 8 KV heads of 128 (as read in a copy of its config; the official file unread).
    ModelShape("qwen3-32b", 32.8e9, 64, 8, 128),
    # Added for the final test set: QwQ-32B, a Qwen2 model of 64 layers, 8 KV heads of 128 (5120 / 40 heads),
    # intermediate 27648, vocabulary 152064, untied: 32.8B by those figures (config.json of Qwen/QwQ-32B as
    # copied in unsloth/QwQ-32B at commit 403266f, huggingface.co/unsloth/QwQ-32B/blob/403266f/config.json).
    ModelShape("qwq-32b", 32.8e9, 64, 8, 128),
    # DeepSeek-V2-Lite: 15.7B in all, 2.4B active (64 experts, 6 per token), 27 layers of a 512 + 64 latent cache.
    ModelShape(
        "deepseek-v2-lite",
        15.7e9,
        27,
        1,
        576,
        active_params=2.4e9,
        kv_elements=27 * 576,
        kv_replicated=True,
        expert_efficiency=MOE_KERNEL_EFFICIENCY,  # DeepSeek's own design: latent attention, fine-grained experts
        experts=(64, 6),
        ep_expert_efficiency=EP_EXPERT_EFFICIENCY,
    ),
    # Mixtral 8x7B: 8 experts, 2 per token; 46.7B in all, 12.9B used per token.
    ModelShape("mixtral-8x7b", 46.7e9, 32, 8, 128, active_params=12.9e9, experts=(8, 2)),
    # DeepSeek-V3: 671B in all, 37B active; multi-head latent attention caches one 512-wide latent plus a
    # 64-wide rotary key per layer and token: 61 x (512 + 64) elements, not 2 x layers x heads x dim.
    ModelShape(
        "deepseek-v3",
        671e9,
        61,
        1,
        576,
        active_params=37e9,
        kv_elements=61 * 576,
        kv_replicated=True,
        expert_efficiency=MOE_KERNEL_EFFICIENCY,
        experts=(256, 8),
        ep_expert_efficiency=EP_EXPERT_EFFICIENCY,
    ),
)


def kv_elements_guess(params: float) -> int:
    """KV elements per token for a model known only by its size: a fit through Llama 3's 8B and 70B
    (grouped-query attention, 8 KV heads); 405B comes out about 30% high. Pass the shape when known."""
    return int(round(65536 * (params / 8.03e9) ** 0.42))


def _layers_guess(active: float) -> float:
    """Layers of a model known only by its size: Llama 3 8B has 32, 70B 80 (a power fit through them)."""
    return 32 * (active / 8.03e9) ** 0.42


def _allreduce_bytes_per_token(active: float) -> float:
    """Bytes one token's activations put through all-reduce in a forward pass: 2 per layer x hidden x 2
    bytes, from a fit through Llama 3 8B (32 layers x 4096) and 70B (80 x 8192), by active parameters."""
    return 4 * 32 * 4096 * (active / 8.03e9) ** 0.72


def allreduce_seconds(tokens: float, active: float, gpus: int, interconnect: str, layers: float) -> float:
    """Time the GPUs of a tensor-parallel replica spend in all-reduce for one pass over `tokens` tokens
    (ring all-reduce: each GPU sends and receives 2 x (gpus - 1) / gpus of the data)."""
    if gpus <= 1:
        return 0.0
    data = tokens * _allreduce_bytes_per_token(active) * 2 * (gpus - 1) / gpus
    calls = 2 * layers
    return data / (ALLREDUCE_GBS[interconnect] * 1e9) + calls * ALLREDUCE_LATENCY_US[interconnect] * 1e-6


def alltoall_seconds(
    tokens: float, active: float, gpus: int, interconnect: str, layers: float, per_token: int
) -> float:
    """Time the GPUs of an expert-parallel replica spend in all-to-all for one pass over `tokens` tokens
    spread over them: each token goes to the GPUs holding its `per_token` experts (on average
    gpus x (1 - (1 - 1/gpus)^per_token) of them, (gpus - 1) / gpus of those elsewhere) and comes back,
    twice a layer; a token's activations are hidden x layers elements (_allreduce_bytes_per_token / 4)."""
    if gpus <= 1:
        return 0.0
    targets = gpus * (1 - (1 - 1 / gpus) ** per_token) * (gpus - 1) / gpus
    elements = _allreduce_bytes_per_token(active) / 4
    data = tokens / gpus * elements * ALLTOALL_BYTES_PER_ELEMENT * targets
    calls = 2 * layers
    return data / (ALLREDUCE_GBS[interconnect] * 1e9) + calls * ALLREDUCE_LATENCY_US[interconnect] * 1e-6


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
    kv_gb_per_sequence: float  # at the full length (input + output)
    memory_gb: float  # usable memory over all GPUs (MEMORY_USABLE of the total)
    max_batch: int  # the most sequences served at once (KV cache at the average live length)
    batch: int  # sequences served at once
    fits: bool  # the weights and at least one sequence fit
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
    engine: str = "vllm"
    active_params: float | None = None
    interconnect: str = "pcie"
    tp_efficiency: float = 1.0
    requested_batch: int | None = None  # the concurrency asked for; None = the most that fit
    queued: int = 0  # sequences beyond what fit, waiting
    queue_note: str = ""
    ttft_ms: float = 0.0  # time to first token
    tpot_ms: float = 0.0  # time per output token after the first
    latency_ms: float = 0.0  # one whole response: ttft + output tokens x tpot
    calibration: float = 1.0
    limit_note: str = ""  # with latency limits: which batch meets them, or that none does
    expert_efficiency: float = 1.0  # a mixture of experts: the arithmetic share used (1 = dense roofline)
    layout: str = "tp"  # how a mixture of experts is split over the GPUs (LAYOUTS)

    def as_dict(self) -> dict:
        return asdict(self)


def _burst_rate(requests: int, slots: int, mean_out: float, prefill: float, step_for: Any) -> float:
    """Output tokens/s of `requests` sent at once and served `slots` at a time until the last one ends.
    Output lengths are the quantiles of an exponential distribution about the mean (a long tail, as in
    ShareGPT), in a fixed shuffled order; a request pays its prefill when admitted; between two endings
    every step costs step_for(sequences running), so the tail runs at a small batch."""
    lengths = [max(1, round(-mean_out * math.log(1 - (i + 0.5) / requests))) for i in range(requests)]
    random.Random(13).shuffle(lengths)
    queue = iter(lengths)
    running: list[int] = []  # the step at which each running sequence ends
    steps = 0
    elapsed = 0.0
    for length in itertools.islice(queue, slots):
        heapq.heappush(running, length)
        elapsed += prefill
    while running:
        end = running[0]
        elapsed += (end - steps) * step_for(len(running))
        steps = end
        while running and running[0] == steps:
            heapq.heappop(running)
            nxt = next(queue, None)
            if nxt is not None:
                heapq.heappush(running, steps + nxt)
                elapsed += prefill
    return sum(lengths) / elapsed


def _moe_weight_share(active: float, total: float, batch: int) -> float:
    """Share of the total weights one decode step reads: each token routes to experts holding about
    active/total of the weights; a batch touches the union, 1 - (1 - active/total)^batch of them."""
    if active >= total:
        return 1.0
    return 1.0 - (1.0 - active / total) ** batch


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
    *,
    active_params: float | None = None,
    engine: str = "vllm",
    calibration: float = 1.0,
    layers: int | None = None,
    max_seqs: int | None = None,
    kv_replicated: bool = False,
    burst: bool = False,
    expert_efficiency: float = 1.0,
    layout: str = "tp",
    experts: tuple[int, int] | None = None,
    ep_expert_efficiency: float = 1.0,
) -> Estimate:
    """Roofline estimate of one serving replica (see the module docstring for the formulas). `layers`
    (known from a model's shape) counts the per-layer costs; without it they are guessed from the size.
    `max_seqs` overrides the engine's cap on sequences at once; `kv_replicated`: every tensor-parallel GPU
    keeps the whole KV cache (a latent-attention cache has one head to split); `burst`: the `batch`
    requests arrive at once with output lengths varying about the mean, and throughput is all their
    output over the time until the last one ends; `expert_efficiency`: the share of the arithmetic
    roofline a mixture of experts' expert layers reach (a model shape's own; 1 where none was measured);
    `layout` "dp" or "ep": attention data-parallel, experts tensor- or expert-parallel (see LAYOUTS); both
    need `experts` (routed experts, experts per token); "ep" uses `ep_expert_efficiency` instead of
    `expert_efficiency`."""
    spec = gpu_named(gpu) if isinstance(gpu, str) else gpu
    precision = precision.lower()
    if precision not in PRECISION_BYTES:
        raise SizingError(f"unknown precision {precision!r}; known: {', '.join(PRECISION_BYTES)}")
    engine = engine.lower()
    if engine not in ENGINES:
        raise SizingError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
    kv_precision = (kv_precision or engine_kv_default(engine, precision)).lower()
    if kv_precision not in PRECISION_BYTES:
        raise SizingError(f"unknown KV-cache precision {kv_precision!r}; known: {', '.join(PRECISION_BYTES)}")
    if not (math.isfinite(params) and 1e6 <= params <= 1e13):
        raise SizingError(f"model size {params:g} parameters is out of range (1e6 to 1e13)")
    if active_params is not None and not (math.isfinite(active_params) and 1e6 <= active_params <= params):
        raise SizingError(f"active parameters {active_params:g} must be 1e6 to the total ({params:g})")
    if not (1 <= gpus <= 64):
        raise SizingError(f"GPUs per replica {gpus} is out of range (1 to 64)")
    lin, lout = float(input_tokens), float(output_tokens)
    if not (0 <= lin <= 1e7 and 1 <= lout <= 1e7):
        raise SizingError("input tokens must be 0 to 1e7 and output tokens 1 to 1e7")
    if batch is not None and not (1 <= batch <= 1_000_000):
        raise SizingError(f"batch {batch} is out of range (1 to 1,000,000)")
    if not (math.isfinite(calibration) and 0.01 <= calibration <= 100):
        raise SizingError(f"calibration factor {calibration:g} is out of range (0.01 to 100)")
    if max_seqs is not None and not (1 <= max_seqs <= 1_000_000):
        raise SizingError(f"the engine's sequence cap {max_seqs} is out of range (1 to 1,000,000)")
    if kv_elements_per_token is not None and not (1 <= kv_elements_per_token <= 1e8):
        raise SizingError(f"KV elements per token {kv_elements_per_token} is out of range (1 to 1e8)")
    layout = layout.lower()
    if layout not in LAYOUTS:
        raise SizingError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    ep = layout == "ep"
    dp = layout in ("dp", "ep")  # attention data-parallel
    what = {"dp": "attention data parallel", "ep": "expert parallel"}.get(layout, "")
    if dp and (active_params is None or active_params >= params or not experts):
        raise SizingError(
            f"layout {layout} ({what}) needs a mixture of experts with a known expert count "
            "(e.g. deepseek-v3, deepseek-v2-lite, mixtral-8x7b)"
        )
    if dp and gpus < 2:
        raise SizingError(f"layout {layout} ({what}) needs 2 or more GPUs; one GPU is the whole replica")
    if experts is not None and not (1 <= experts[1] < experts[0] <= 4096):
        raise SizingError(f"experts {experts[0]} with {experts[1]} per token: need 1 <= per token < experts")

    active = active_params or params
    kv_elems = kv_elements_per_token or kv_elements_guess(params)
    wbytes = PRECISION_BYTES[precision]
    weights = params * wbytes
    kv_tok = kv_elems * PRECISION_BYTES[kv_precision]
    kv_replicated = kv_replicated and gpus > 1 and not dp  # under dp/ep each GPU caches its own sequences
    shared = 0.0  # dp/ep: the weights every GPU keeps whole (attention, dense layers, shared experts)
    if dp and experts:
        # total = shared + routed experts, active = shared + per-token share of them: solve for shared
        n_exp, per_token = experts
        expert_params = (params - active) / (n_exp - per_token)
        shared = max(0.0, active - per_token * expert_params)
        weights = (params + shared * (gpus - 1)) * wbytes  # the shared weights once per GPU
    kv_held = kv_tok * gpus if kv_replicated else kv_tok  # memory one token's cache takes over the replica
    total_memory = gpus * spec.memory_gb * 1e9
    # The KV cache gets MEMORY_USABLE of the memory: of all of it, less the weights, under vLLM and SGLang
    # (gpu_memory_utilization, mem_fraction_static); of what the weights leave free under TensorRT-LLM
    # (KvCacheConfig.free_gpu_memory_fraction).
    if engine == "trtllm":
        memory = total_memory
        free = MEMORY_USABLE * (total_memory - weights)
    else:
        memory = total_memory * MEMORY_USABLE
        free = memory - weights
    seq_kv = (lin + lout) * kv_held  # one sequence at full length
    # vLLM and SGLang admit a sequence for the cache it holds now, on average input + output/2 tokens;
    # TensorRT-LLM's default scheduler (GUARANTEED_NO_EVICT) reserves the full length before admitting.
    held = lin + lout if engine == "trtllm" else lin + lout / 2
    live_kv = held * kv_held
    why = ""
    if free <= 0:
        part = "all" if engine == "trtllm" else f"{MEMORY_USABLE:.0%}"
        why = (
            f"weights need {weights / 1e9:,.1f} GB but {gpus} x {spec.name} give {memory / 1e9:,.1f} GB "
            f"({part} of {gpus * spec.memory_gb:g} GB)"
        )
        max_batch = 0
    elif seq_kv > free:
        why = f"one sequence's KV cache ({seq_kv / 1e9:,.2f} GB) does not fit beside the weights"
        max_batch = 0
    else:
        max_batch = max(1, int(free // live_kv)) if live_kv > 0 else MAX_BATCH
    # under dp and ep every GPU runs its own scheduler, each with the engine's cap
    cap = max_seqs or engine_max_sequences(engine, spec) * (gpus if dp else 1)
    limit = "memory"
    if max_batch > cap:
        max_batch, limit = cap, "engine"
    fits = not why
    b = max(1, max_batch) if batch is None else batch
    queued = 0
    queue_note = ""
    if fits and b > max_batch:
        queued = b - max_batch
        why_max = (
            f"the engine's limit of {cap:,} sequences"
            if limit == "engine"
            else f"KV cache {free / 1e9:,.1f} GB"
        )
        queue_note = (
            f"{b:,} concurrent sequences asked; {max_batch:,} run at once ({why_max}), "
            f"{queued:,} wait in the queue"
        )
        b = max_batch

    scale = gpus * calibration
    bandwidth = spec.bandwidth_gbs * 1e9 * BANDWIDTH_EFFICIENCY * spec.bandwidth_scale * scale
    rate = spec.fp8_tflops if precision in FP8_ARITHMETIC and spec.fp8_tflops else spec.bf16_tflops
    if precision == "fp4" and spec.fp4_tflops:
        rate = spec.fp4_tflops
    peak = rate * 1e12 * spec.gemm_scale * scale
    for share in (expert_efficiency, ep_expert_efficiency):
        if not (math.isfinite(share) and 0.001 <= share <= 1):
            raise SizingError(f"expert efficiency {share:g} is out of range (0.001 to 1)")
    moe = (ep_expert_efficiency if ep else expert_efficiency) if active < params else 1.0
    depth = layers or _layers_guess(active)
    link = spec.interconnect
    # a cache every GPU keeps whole (MLA under tensor parallel) is read by each GPU at its own bandwidth
    attn_bandwidth = bandwidth / gpus if kv_replicated else bandwidth
    fixed = depth * LAYER_OVERHEAD_US * 1e-6 / calibration

    def comm_for(tokens: float) -> float:
        if ep and experts:
            sent = alltoall_seconds(tokens, active, gpus, link, depth, experts[1])
        else:
            sent = allreduce_seconds(tokens, active, gpus, link, depth)
        return sent / spec.allreduce_scale / calibration

    def parts(n: int) -> tuple[float, float, float, float]:
        """Weights read, arithmetic, attention and all-reduce seconds of one decode step for n sequences."""
        if dp and experts:
            # every GPU reads the shared weights whole; the routed experts a step touches, 1/gpus each
            routed = (params - shared) * wbytes
            touched = 1 - (1 - experts[1] / experts[0]) ** n
            t_w = shared * wbytes / (bandwidth / gpus) + routed * touched / bandwidth
        else:
            t_w = weights * _moe_weight_share(active, params, n) / bandwidth
        t_c = n * 2 * active / (peak * DECODE_COMPUTE_EFFICIENCY) / moe
        # attention reads every sequence's cache in kernels of its own, after the matrix products
        t_a = n * (lin + lout / 2) * kv_tok / attn_bandwidth
        return t_w, t_c, t_a, comm_for(n)

    def step_for(n: int) -> float:
        t_w, t_c, t_a, comm = parts(n)
        return max(t_w, t_c) + t_a + comm + fixed

    t_weights, t_comp, t_attn, comm_step = parts(b)
    t_mem = t_weights + t_attn
    step = step_for(b)
    comm_prefill = comm_for(lin) if lin else 0.0
    prefill = 2 * active * lin / (peak * PREFILL_COMPUTE_EFFICIENCY) / moe + comm_prefill
    cycle = b * prefill + lout * step
    tp = 1 - (b * comm_prefill + lout * comm_step) / cycle
    total = b * lout / cycle
    if burst and batch is not None and fits:
        total = _burst_rate(batch, b, lout, prefill, step_for)
    per_gpu = total / gpus
    share = b * prefill / cycle
    # A new request waits for the prefills ahead of it: a queue busy prefill's share of the time
    # (M/M/1 mean wait), never more than the other sequences' prefills.
    wait = min(share * prefill / (1 - share) if share < 1 else math.inf, (b - 1) * prefill)
    ttft = prefill + wait + step
    tpot = step + (b - 1) * prefill / lout
    if queued:
        # beyond what fits, a request first waits for a slot: with `requested` always in the system and
        # `b` served, a response takes requested / b times as long (Little's law), the rest in the queue
        ttft += (queued / b) * (ttft + lout * tpot)
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
        memory_gb=(weights + max(free, 0.0)) / 1e9,
        max_batch=max_batch,
        batch=b,
        fits=fits,
        why=why,
        decode_bound="memory" if t_mem >= t_comp else "compute",
        step_ms=step * 1e3,
        prefill_share=share,
        output_tokens_per_second=total if fits else 0.0,
        tokens_per_second_per_gpu=per_gpu if fits else 0.0,
        tokens_per_second_per_user=1 / tpot if fits else 0.0,
        requests_per_second_per_gpu=per_gpu / lout if fits else 0.0,
        hourly=spec.hourly,
        cost_per_million_output=cost if fits else None,
        engine=engine,
        active_params=active_params,
        interconnect=spec.interconnect,
        tp_efficiency=tp,
        requested_batch=batch,
        queued=queued,
        queue_note=queue_note,
        ttft_ms=ttft * 1e3 if fits else 0.0,
        tpot_ms=tpot * 1e3 if fits else 0.0,
        latency_ms=(ttft + lout * tpot) * 1e3 if fits else 0.0,
        calibration=calibration,
        expert_efficiency=moe,
        layout=layout,
    )


# For displays that quote one figure: two NVLink GPUs serving a 70B model at batch 256. Each estimate
# reports its own tp_efficiency, which falls with the degree, the batch and over PCIe.
TENSOR_PARALLEL_EFFICIENCY = estimate(70.6e9, "fp8", "H100 SXM", 1000, 1000, batch=256, gpus=2).tp_efficiency


def _batches(most: int, points: int = 24) -> list[int]:
    """1 to `most`, spaced evenly on a log scale, at most `points` of them, always 1 and `most`."""
    if most <= points:
        return list(range(1, most + 1))
    out = {1, most}
    for i in range(1, points - 1):
        out.add(max(1, round(most ** (i / (points - 1)))))
    return sorted(out)


def sweep(**kwargs: Any) -> list[Estimate]:
    """Estimates from batch 1 to the most that fit (at most ~24 points); [] when nothing fits."""
    kwargs.pop("batch", None)
    top = estimate(**kwargs)
    if not top.fits:
        return []
    return [estimate(batch=b, **kwargs) for b in _batches(top.max_batch)]


def _meets(e: Estimate, max_ttft_ms: float | None, max_tpot_ms: float | None) -> bool:
    return (max_ttft_ms is None or e.ttft_ms <= max_ttft_ms) and (
        max_tpot_ms is None or e.tpot_ms <= max_tpot_ms
    )


def _limits_text(max_ttft_ms: float | None, max_tpot_ms: float | None) -> str:
    parts = []
    if max_ttft_ms is not None:
        parts.append(f"TTFT <= {max_ttft_ms:g} ms")
    if max_tpot_ms is not None:
        parts.append(f"TPOT <= {max_tpot_ms:g} ms")
    return ", ".join(parts)


def best_under(max_ttft_ms: float | None, max_tpot_ms: float | None, **kwargs: Any) -> Estimate | None:
    """The largest batch (up to `batch` if given, else the most that fit) whose TTFT and TPOT meet the
    limits, or None when even batch 1 misses. TTFT and TPOT grow with the batch, so a bisection finds it."""
    for name, v in (("TTFT", max_ttft_ms), ("TPOT", max_tpot_ms)):
        if v is not None and not (math.isfinite(v) and v > 0):
            raise SizingError(f"the {name} limit must be a positive number of milliseconds, not {v:g}")
    cap = kwargs.pop("batch", None)
    top = estimate(**kwargs)
    if not top.fits:
        return None
    hi = min(cap, top.max_batch) if cap else top.max_batch
    if not _meets(estimate(batch=1, **kwargs), max_ttft_ms, max_tpot_ms):
        return None
    lo = 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _meets(estimate(batch=mid, **kwargs), max_ttft_ms, max_tpot_ms):
            lo = mid
        else:
            hi = mid - 1
    e = estimate(batch=lo, **kwargs)
    note = f"batch {lo:,} is the largest that meets {_limits_text(max_ttft_ms, max_tpot_ms)}"
    return replace(e, limit_note=note, requested_batch=cap)


def calibration_for(measured_tokens_per_s: float, **kwargs: Any) -> float:
    """The factor that makes the estimate at this configuration equal the measured output tokens/s of
    the replica (every time in the estimate is divided by it, so throughput scales by it exactly)."""
    if not (math.isfinite(measured_tokens_per_s) and measured_tokens_per_s > 0):
        raise SizingError(
            f"the measured throughput must be a positive number of tokens/s, not {measured_tokens_per_s:g}"
        )
    kwargs.pop("calibration", None)
    e = estimate(**kwargs)
    if not e.fits:
        raise SizingError(f"cannot calibrate a configuration that does not fit: {e.why}")
    factor = measured_tokens_per_s / e.output_tokens_per_second
    if not 0.01 <= factor <= 100:
        raise SizingError(
            f"the measured {measured_tokens_per_s:,.0f} tok/s is {factor:.3g} x the estimate "
            f"({e.output_tokens_per_second:,.0f}); check the configuration (0.01x to 100x accepted)"
        )
    return factor


def _num(x: float) -> str:
    """A number as short text that reads back exactly (8e9 -> "8B", 1000.0 -> "1000")."""
    if x >= 1e9:
        s = f"{x / 1e9:g}"
        if float(s + "e9") == x:
            return s + "B"
    s = f"{x:g}"
    return s if float(s) == x else repr(float(x))


def _read_num(s: str) -> float:
    return float(s[:-1] + "e9") if s.endswith("B") else float(s)


@dataclass(frozen=True)
class Sizing:
    """Everything a sizing was asked: what the `S` dialog and `workbench size` record in an option's
    throughput_source (source_text) and read back (from_source) to draw the sweep again."""

    model: str = ""  # a name of MODELS, or "" (then params, and the KV shape guessed from the size)
    params: float = 0.0  # 0 with a model: the model's own
    active_params: float | None = None  # mixture of experts; None: the model's own, or dense
    precision: str = "bf16"
    kv_precision: str | None = None  # None: the engine's default
    engine: str = "vllm"
    gpu: str = "H100 SXM"
    gpus: int = 1
    input_tokens: float = 1000
    output_tokens: float = 500
    batch: int | None = None  # concurrency; None: the most that fit
    max_ttft_ms: float | None = None
    max_tpot_ms: float | None = None
    calibration: float = 1.0
    measured: float | None = None  # output tokens/s measured at this configuration: calibrates
    kv_elements_per_token: int | None = None  # None: the model's own, or guessed from the size
    layout: str = "tp"  # a mixture of experts over several GPUs: "tp", "dp" or "ep" (LAYOUTS)

    def kwargs(self) -> dict:
        """Keyword arguments of estimate() for this sizing (without batch and calibration)."""
        shape = model_named(self.model).kwargs() if self.model else {}
        given = {
            "params": self.params,
            "active_params": self.active_params,
            "kv_elements_per_token": self.kv_elements_per_token,
        }
        kw = shape | {k: v for k, v in given.items() if v}  # what was asked overrides the shape
        if not kw.get("params"):
            raise SizingError("give the model's size (e.g. 8e9) or a known model name")
        return kw | {
            "precision": self.precision,
            "gpu": self.gpu,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "gpus": self.gpus,
            "kv_precision": self.kv_precision,
            "engine": self.engine,
            "layout": self.layout,
        }

    def factor(self) -> float:
        """The calibration in force: from the measurement when there is one, else as given."""
        if self.measured is not None:
            return calibration_for(self.measured, batch=self.batch, **self.kwargs())
        return self.calibration

    def estimate(self) -> Estimate:
        kw = self.kwargs()
        kw["calibration"] = self.factor()
        if self.max_ttft_ms is None and self.max_tpot_ms is None:
            return estimate(batch=self.batch, **kw)
        best = best_under(self.max_ttft_ms, self.max_tpot_ms, batch=self.batch, **kw)
        if best is not None:
            return best
        one = estimate(batch=1, **kw)
        if not one.fits:
            return one
        note = (
            f"even batch 1 misses {self.limits_text()} "
            f"(TTFT {one.ttft_ms:,.0f} ms, TPOT {one.tpot_ms:,.1f} ms)"
        )
        return replace(one, limit_note=note, requested_batch=self.batch)

    def sweep(self) -> list[Estimate]:
        return sweep(calibration=self.factor(), **self.kwargs())

    def limits_text(self) -> str:
        """The latency limits asked, e.g. "TTFT <= 500 ms, TPOT <= 50 ms"; "" for none."""
        return _limits_text(self.max_ttft_ms, self.max_tpot_ms)

    def meets(self, e: Estimate) -> bool:
        """The estimate is within the latency limits asked (always, with none)."""
        return _meets(e, self.max_ttft_ms, self.max_tpot_ms)

    def source_text(self, day: str | None = None) -> str:
        """One readable line that from_source reads back, with the result after " -> "."""
        who = []
        if self.model:
            who.append(self.model)
        if self.params:
            who.append(f"{_num(self.params)} params")
        if self.active_params:
            who.append(f"{_num(self.active_params)} active")
        kv = f"KV {self.kv_precision}" if self.kv_precision else f"KV {self._kv_default()} (engine default)"
        text = (
            f"sized {day or datetime.date.today().isoformat()}: {' '.join(who)} {self.precision}, {kv}, "
            f"{self.engine}, {self.gpus}x {self.gpu}, {_num(self.input_tokens)} in / "
            f"{_num(self.output_tokens)} out, batch {self.batch if self.batch else 'max'}"
        )
        limits = self.limits_text()
        if limits:
            text += f" ({limits})"
        if self.kv_elements_per_token:
            text += f", {self.kv_elements_per_token} KV elements/token"
        if self.layout != "tp":
            text += f", layout {self.layout}"
        if self.calibration != 1.0:
            text += f", calibrated x{_num(self.calibration)}"
        if self.measured is not None:
            text += f", measured {_num(self.measured)} tok/s"
        try:
            e = self.estimate()
        except SizingError:
            return text
        if e.fits:
            text += f" -> batch {e.batch:,}, {e.tokens_per_second_per_gpu:,.0f} tok/s per GPU"
        return text

    def _kv_default(self) -> str:
        return engine_kv_default(self.engine, self.precision)

    @classmethod
    def from_source(cls, text: str) -> Sizing | None:
        """The Sizing a source_text line records; None for any other text (e.g. "measured on our cluster")."""
        m = _SOURCE.search(text.strip())
        if not m or fmt.first_control(text) is not None:  # what a sizing writes holds no control character
            return None
        g = m.groupdict()
        rest = g["rest"] or ""
        limits = g["limits"] or ""
        ttft = re.search(r"TTFT <= (\S+) ms", limits)
        tpot = re.search(r"TPOT <= (\S+) ms", limits)
        kvel = re.search(r", (\d+) KV elements/token", rest)
        cal = re.search(r", calibrated x(\S+)", rest)
        meas = re.search(r", measured (\S+) tok/s", rest)
        lay = re.search(r", layout (\w+)", rest)
        try:
            s = cls(
                model=g["model"] or "",
                params=_read_num(g["params"]) if g["params"] else 0.0,
                active_params=_read_num(g["active"]) if g["active"] else None,
                precision=g["precision"],
                kv_precision=None if g["kvdefault"] else g["kv"],
                engine=g["engine"],
                gpu=g["gpu"],
                gpus=int(g["gpus"]),
                input_tokens=_read_num(g["lin"]),
                output_tokens=_read_num(g["lout"]),
                batch=None if g["batch"] == "max" else int(g["batch"]),
                max_ttft_ms=float(ttft.group(1)) if ttft else None,
                max_tpot_ms=float(tpot.group(1)) if tpot else None,
                calibration=_read_num(cal.group(1)) if cal else 1.0,
                measured=_read_num(meas.group(1)) if meas else None,
                kv_elements_per_token=int(kvel.group(1)) if kvel else None,
                layout=lay.group(1) if lay and lay.group(1) in LAYOUTS else "tp",
            )
        except ValueError:
            return None
        return s


_SOURCE = re.compile(
    r"\bsized (?P<date>\d{4}-\d\d-\d\d): "
    r"(?:(?P<model>[a-z][\w.\-]*) ?)?(?:(?P<params>[\d.e+\-]+B?) params ?)?(?:(?P<active>[\d.e+\-]+B?) active ?)?"
    r" ?(?P<precision>bf16|fp16|fp8|fp4|int8|int4), "
    r"KV (?P<kv>\w+)(?P<kvdefault> \(engine default\))?, "
    r"(?P<engine>vllm|trtllm|sglang), (?P<gpus>\d+)x (?P<gpu>[^,]+), "
    r"(?P<lin>[\d.e+\-]+B?) in / (?P<lout>[\d.e+\-]+B?) out, batch (?P<batch>\d+|max)"
    r"(?: \((?P<limits>[^)]*)\))?(?P<rest>(?:(?! -> ).)*)(?: -> .*)?$"
)
