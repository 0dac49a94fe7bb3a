"""GPU sizing: the table, the roofline estimate against NVIDIA's published figures, the CLI and the edit."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from helpers import until

from workbench.cli import data as cli_data
from workbench.cli.run import main
from workbench.edits import data as data_edits
from workbench.edits import edit
from workbench.model import sizing
from workbench.store import files

H100_8B = dict(params=8.03e9, precision="fp8", gpu="H100 SXM", input_tokens=1000, output_tokens=500)
REQUIRED = (
    "H100 PCIe",
    "H100 SXM",
    "H100 NVL",
    "H200",
    "B200",
    "MI300X",
    "A100 40GB",
    "A100 80GB",
    "A100 PCIe",
    "L40S",
    "L4",
    "A10G",
    "RTX 4090",
)


def test_table_has_every_gpu_with_sources_and_dated_prices():
    names = [g.name for g in sizing.GPUS]
    for want in REQUIRED:
        assert want in names
    for g in sizing.GPUS:
        assert g.memory_gb > 0 and g.bandwidth_gbs > 0 and g.bf16_tflops > 0 and g.hourly > 0
        assert g.spec_source and g.price_source
        assert len(g.price_date) == 10 and g.price_date[4] == "-"
        if g.fp8_tflops is not None:
            assert g.fp8_tflops == pytest.approx(
                2 * g.bf16_tflops, rel=0.05
            )  # FP8 is twice BF16 on Hopper/Ada
    assert sizing.gpu_named("h100-sxm").name == "H100 SXM"
    with pytest.raises(sizing.SizingError, match="known: H100 SXM"):
        sizing.gpu_named("B300")


def test_roofline_behaves_like_the_hardware():
    small = sizing.estimate(8e9, "fp8", "H100 SXM", 1000, 500, batch=1)
    assert small.decode_bound == "memory"
    # batch 1 decode reads the 8 GB of weights and the cache (bf16 under vLLM) per token, plus a fixed
    # cost per layer (32 layers for an 8B model)
    read = (8e9 + 1250 * sizing.kv_elements_guess(8e9) * 2) / (3350e9 * sizing.BANDWIDTH_EFFICIENCY)
    fixed = 32 * sizing.LAYER_OVERHEAD_US * 1e-6
    assert small.step_ms == pytest.approx((read + fixed) * 1e3, rel=0.01)
    big = sizing.estimate(8e9, "fp8", "H100 SXM", 1000, 500)
    assert big.batch > 100 and big.tokens_per_second_per_gpu > 20 * small.tokens_per_second_per_gpu
    bf16 = sizing.estimate(8e9, "bf16", "H100 SXM", 1000, 500)
    assert bf16.tokens_per_second_per_gpu < big.tokens_per_second_per_gpu  # twice the bytes to read
    assert (
        sizing.estimate(8e9, "fp8", "H200", 1000, 500).tokens_per_second_per_gpu
        > big.tokens_per_second_per_gpu
    )
    longer = sizing.estimate(8e9, "fp8", "H100 SXM", 8000, 500)
    assert longer.max_batch < big.max_batch and longer.prefill_share > big.prefill_share


def test_does_not_fit_says_why():
    e = sizing.estimate(70e9, "bf16", "L4", 1000, 500)
    assert not e.fits and "weights need 140.0 GB" in e.why and e.tokens_per_second_per_gpu == 0
    assert sizing.estimate(70e9, "fp8", "H100 SXM", 1000, 500, gpus=2).fits
    with pytest.raises(sizing.SizingError, match="precision"):
        sizing.estimate(8e9, "fp7", "L4")
    with pytest.raises(sizing.SizingError, match="engine"):
        sizing.estimate(8e9, "fp8", "L4", engine="tgi")


def test_above_what_fits_is_served_at_the_most_that_fit_and_the_rest_queue():
    most = sizing.estimate(8e9, "fp8", "L4", 1000, 500)
    over = sizing.estimate(8e9, "fp8", "L4", 1000, 500, batch=10_000)
    assert over.fits and over.batch == most.max_batch and over.requested_batch == 10_000
    assert over.queued == 10_000 - most.max_batch and "wait in the queue" in over.queue_note
    assert over.output_tokens_per_second == pytest.approx(most.output_tokens_per_second)
    assert most.queued == 0 and most.queue_note == ""
    # paged attention holds sequences at the average live length: more fit than at full length
    full = (most.memory_gb - most.weights_gb) / most.kv_gb_per_sequence
    assert most.max_batch >= int(1.2 * full)  # (1000 + 500) / (1000 + 250)


def test_tensor_parallel_efficiency_by_interconnect_and_degree():
    def tp(gpu, n, batch=256):
        return sizing.estimate(70.6e9, "fp8", gpu, 1000, 1000, batch=batch, gpus=n, engine="trtllm")

    nv2, nv4, nv8 = (tp("H100 SXM", n) for n in (2, 4, 8))
    pc2, pc4, pc8 = (tp("L40S", n) for n in (2, 4, 8))
    assert nv2.interconnect == "nvlink" and pc4.interconnect == "pcie"
    assert 1 > nv2.tp_efficiency > nv4.tp_efficiency > nv8.tp_efficiency > 0.3
    assert 1 > pc2.tp_efficiency > pc4.tp_efficiency > pc8.tp_efficiency > 0
    assert pc4.tp_efficiency < nv4.tp_efficiency - 0.3  # PCIe all-reduce costs far more
    # over PCIe, eight GPUs barely beat four (the all-reduce dominates), over NVLink they do
    assert pc8.output_tokens_per_second < 1.3 * pc4.output_tokens_per_second
    assert nv8.output_tokens_per_second > 1.25 * nv4.output_tokens_per_second
    assert sizing.estimate(8e9, "fp8", "L40S").tp_efficiency == 1.0
    assert {g.interconnect for g in sizing.GPUS} <= set(sizing.INTERCONNECTS)


def test_mixture_of_experts_memory_by_total_arithmetic_by_active():
    mix = sizing.model_named("mixtral-8x7b")
    assert mix.active_params and mix.active_params < mix.params
    kw = dict(kv_elements_per_token=mix.kv_elements_per_token, batch=64)
    moe = sizing.estimate(mix.params, "fp8", "H100 SXM", 1000, 500, active_params=mix.active_params, **kw)
    assert moe.fits and moe.weights_gb == pytest.approx(46.7)  # weights in memory by total params
    assert not sizing.estimate(mix.params, "bf16", "L40S", active_params=mix.active_params).fits
    dense_active = sizing.estimate(mix.active_params, "fp8", "H100 SXM", 1000, 500, **kw)
    assert moe.output_tokens_per_second < dense_active.output_tokens_per_second
    # at a small batch a step reads the experts touched: memory-bound, and the MoE factor (arithmetic only)
    # does not slow it; at batch 1 it reads the active weights only, so it beats the dense model of its total
    args = (mix.params, "bf16", "H200", 32, 128)
    small = dict(kv_elements_per_token=mix.kv_elements_per_token, active_params=mix.active_params, gpus=2)
    one = sizing.estimate(*args, batch=1, **small)
    eight = sizing.estimate(*args, batch=8, **small)
    assert one.decode_bound == eight.decode_bound == "memory"
    assert one.step_ms < sizing.estimate(*args, batch=1, gpus=2).step_ms
    share = sizing._moe_weight_share(mix.active_params, mix.params, 8)
    reads = (
        mix.params
        * 2
        * share
        / (2 * 4800e9 * sizing.BANDWIDTH_EFFICIENCY * sizing.gpu_named("H200").bandwidth_scale)
    )
    assert eight.step_ms == pytest.approx(reads * 1e3, rel=0.25)
    # the arithmetic, prefill included, runs at the shape's expert_efficiency of the dense roofline: DeepSeek's
    # measured one for DeepSeek's shapes, the dense roofline for Mixtral (no run measured its share)
    pre_moe = sizing.estimate(mix.params, "bf16", "H200", 4000, 1, batch=1, active_params=mix.active_params)
    pre_dense = sizing.estimate(mix.active_params, "bf16", "H200", 4000, 1, batch=1)
    assert mix.expert_efficiency == 1 and pre_moe.expert_efficiency == 1
    assert pre_moe.ttft_ms == pytest.approx(pre_dense.ttft_ms, rel=0.05)
    slow = sizing.estimate(
        mix.params,
        "bf16",
        "H200",
        4000,
        1,
        batch=1,
        active_params=mix.active_params,
        expert_efficiency=sizing.MOE_KERNEL_EFFICIENCY,
    )
    assert slow.ttft_ms > 0.9 * pre_dense.ttft_ms / sizing.MOE_KERNEL_EFFICIENCY
    for name in ("deepseek-v3", "deepseek-v2-lite"):
        assert sizing.model_named(name).expert_efficiency == sizing.MOE_KERNEL_EFFICIENCY
    big = sizing.Sizing(
        model="mixtral-8x7b", precision="fp8", gpu="H100 SXM", gpus=2, engine="trtllm"
    ).estimate()
    assert big.tokens_per_second_per_gpu > 3000  # not crushed by DeepSeek's factor at a large batch
    ds = sizing.model_named("deepseek-v3")
    assert ds.kv_elements_per_token == 61 * 576  # latent cache, stated by the shape
    with pytest.raises(sizing.SizingError, match="active"):
        sizing.estimate(8e9, "fp8", "H100 SXM", active_params=9e9)


def test_engine_sets_the_kv_cache_default():
    assert sizing.estimate(8e9, "fp8", "H100 SXM", engine="vllm").kv_precision == "bf16"
    assert sizing.estimate(8e9, "fp8", "H100 SXM", engine="sglang").kv_precision == "bf16"
    assert sizing.estimate(8e9, "fp8", "H100 SXM", engine="trtllm").kv_precision == "fp8"
    assert sizing.estimate(8e9, "bf16", "H100 SXM", engine="trtllm").kv_precision == "bf16"
    assert sizing.estimate(8e9, "fp8", "H100 SXM", kv_precision="fp8").kv_precision == "fp8"


def test_latency_grows_with_batch_and_best_under_finds_the_largest():
    rows = sizing.sweep(**H100_8B)
    assert rows[0].batch == 1 and rows[-1].batch == rows[-1].max_batch and len(rows) <= 24
    for a, b in zip(rows, rows[1:], strict=False):
        assert b.batch > a.batch and b.ttft_ms >= a.ttft_ms and b.tpot_ms >= a.tpot_ms
        assert b.output_tokens_per_second >= a.output_tokens_per_second
    for e in rows:
        assert e.latency_ms == pytest.approx(e.ttft_ms + e.output_tokens * e.tpot_ms)
    best = sizing.best_under(None, 20.0, **H100_8B)
    assert best is not None and best.tpot_ms <= 20.0 and "largest" in best.limit_note
    nxt = sizing.estimate(**H100_8B, batch=best.batch + 1)
    assert nxt.tpot_ms > 20.0
    assert sizing.best_under(None, 0.5, **H100_8B) is None
    with pytest.raises(sizing.SizingError, match="positive"):
        sizing.best_under(0, None, **H100_8B)


def test_calibration_reproduces_the_measurement():
    kw = dict(params=8.03e9, precision="fp8", gpu="L40S", input_tokens=1000, output_tokens=200, batch=32)
    c = sizing.calibration_for(1234.0, **kw)
    e = sizing.estimate(calibration=c, **kw)
    assert e.output_tokens_per_second == pytest.approx(1234.0) and e.calibration == c
    with pytest.raises(sizing.SizingError, match="positive"):
        sizing.calibration_for(0, **kw)


def test_sizing_round_trip_through_source_text():
    cases = [
        sizing.Sizing(model="llama-3.1-8b", precision="fp8", gpu="H100 SXM", batch=64, max_tpot_ms=50),
        sizing.Sizing(params=8e9, precision="bf16", gpu="L4", input_tokens=1234.5, output_tokens=300),
        sizing.Sizing(
            model="mixtral-8x7b",
            precision="fp8",
            kv_precision="fp8",
            engine="trtllm",
            gpu="H100 SXM",
            gpus=2,
            max_ttft_ms=500,
            max_tpot_ms=40,
            measured=5000,
        ),
        sizing.Sizing(
            params=46.7e9, active_params=12.9e9, gpu="A100 PCIe", calibration=0.8, kv_elements_per_token=65536
        ),
    ]
    for s in cases:
        text = s.source_text("2026-12-03")
        assert text.startswith("sized 2026-12-03: ") and "\n" not in text
        assert sizing.Sizing.from_source(text) == s, text
    assert sizing.Sizing.from_source("measured on our cluster") is None
    assert sizing.Sizing.from_source("estimate: " + cases[0].source_text("2026-12-03")) == cases[0]
    assert sizing.Sizing.from_source("") is None
    e = cases[0].estimate()
    assert e.tpot_ms <= 50 and e.batch <= 64
    assert len(cases[0].sweep()) > 2


def test_cli_size(capsys):
    base = ["size", "--model-params", "8e9", "--precision", "fp8", "--gpu", "H100 SXM"]
    assert main(base + ["--input-tokens", "1000", "--output-tokens", "1000"]) == 0
    out = capsys.readouterr().out
    assert "fits" in out and "tok/s per GPU" in out and "efficiency" in out and "TTFT" in out
    assert "published runs" in out
    args = ["size", "--model", "llama-3.3-70b", "--precision", "fp8", "--gpu", "H100 SXM", "--gpus", "2"]
    assert main(args + ["--output-tokens", "1000", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["fits"] and doc["kv_shape"] == "given"
    assert 0.5 < doc["efficiency"]["tensor_parallel"] < 1 and doc["efficiency"]["interconnect"] == "nvlink"
    assert main(["size", "--model-params", "70e9", "--gpu", "L4"]) == 0
    assert "does NOT fit" in capsys.readouterr().out
    assert main(["size", "--model-params", "8e9", "--gpu", "H101"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("size: unknown GPU 'H101'") and "\n" not in err
    assert main(["size", "--gpu", "L4"]) == 1
    assert "--model-params" in capsys.readouterr().err
    assert main(["gpus"]) == 0
    out = capsys.readouterr().out
    assert "RTX 4090" in out and "nvlink" in out and "pcie" in out


def test_cli_size_flags(capsys):
    base = ["size", "--model", "llama-3.1-8b", "--precision", "fp8", "--gpu", "L40S"]
    assert main(base + ["--batch", "100000"]) == 0
    assert "wait in the queue" in capsys.readouterr().out
    assert main(base + ["--max-tpot-ms", "40", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["tpot_ms"] <= 40 and doc["limit_note"] and doc["source_text"].startswith("sized ")
    assert main(base + ["--measured", "2000", "--batch", "64", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["output_tokens_per_second"] == pytest.approx(2000) and doc["calibration"] != 1
    assert main(base + ["--sweep", "batch", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = doc["sweep"]
    assert rows[0]["batch"] == 1 and rows[-1]["batch"] == doc["max_batch"]
    assert {"ttft_ms", "tpot_ms", "cost_per_million_output"} <= set(rows[0])
    assert main(base + ["--sweep", "batch"]) == 0
    assert "TTFT ms" in capsys.readouterr().out
    assert main(base + ["--engine", "trtllm", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["kv_precision"] == "fp8"
    assert main(base) == 0
    assert "vLLM keeps a 16-bit KV cache unless told" in capsys.readouterr().out
    assert main(["size", "--model", "mixtral-8x7b", "--precision", "fp8", "--gpu", "H100 SXM"]) == 0
    assert "12.9B active" in capsys.readouterr().out
    for bad, word in (
        (["--max-ttft-ms", "0"], "--max-ttft-ms"),
        (["--max-tpot-ms", "-5"], "--max-tpot-ms"),
        (["--measured", "0"], "--measured"),
        (["--engine", "tgi"], "engine"),
        (["--active-params", "20B"], "active"),
    ):
        assert main(base + bad) == 1, bad
        err = capsys.readouterr().err.strip()
        assert err.startswith("size: ") and word in err and "\n" not in err


def test_set_throughput_marks_estimated_and_is_refused_for_api_options():
    s = files.load("presets/starter.toml")
    hosted = next(i for i, o in enumerate(s.options) if o.serve == "self_hosted")
    api = next(i for i, o in enumerate(s.options) if o.serve == "api")
    new = data_edits.set_throughput(s, hosted, 1234.56)
    o = new.options[hosted]
    assert (
        o.tokens_per_second_per_gpu == 1234.6
        and o.throughput_estimated
        and o.requests_per_second_per_gpu == 0
    )
    with pytest.raises(edit.EditError, match="API"):
        data_edits.set_throughput(s, api, 1000)
    with pytest.raises(edit.EditError, match="does not fit"):
        data_edits.set_throughput(s, hosted, 0.0)


async def test_sizing_dialog_fills_the_option_under_the_cursor(tmp_path, monkeypatch):
    from workbench.session.document import Document
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.screens.sizing import SizingDialog
    from workbench.tui.view import ScenarioView

    monkeypatch.setenv("WORKBENCH_SAVES", str(tmp_path))
    s = files.load("presets/starter.toml")
    hosted = next(i for i, o in enumerate(s.options) if o.serve == "self_hosted")
    app = WorkbenchApp([Document(s, None, "t")])
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ScenarioView)
        await pilot.press("f4")
        await until(pilot, lambda: getattr(app.focused, "id", "") == "grid-options")
        # on an API option, S says why it does nothing
        await pilot.press("S")
        await pilot.pause()
        assert "served by an API" in str(view.query_one("#status").render())
        assert not isinstance(app.screen, SizingDialog)
        app.focused.move_cursor(row=hosted)
        await pilot.pause()
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, SizingDialog) and app.screen.estimate is not None)
        dialog = app.screen
        want = dialog.estimate.tokens_per_second_per_gpu
        # the dialog starts from the option's own GPU row and the workload's token counts
        assert dialog.estimate.gpu == sizing.gpu_named(s.options[hosted].gpu).name
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                view.doc.scenario.options[hosted].throughput_estimated
                and view.doc.scenario.options[hosted].tokens_per_second_per_gpu == round(want, 1)
            ),
        )
        assert "tok/s per GPU, estimated" in str(view.query_one("#status").render())
        await pilot.press("u")
        await until(pilot, lambda: view.doc.scenario == s)


def test_measured_shares_scale_a_gpu_against_the_h100():
    """A GPU row's microbenchmarked shares (Azure's) scale the factors against the H100 SXM's; rows without
    one keep the H100's, so their estimates are unchanged."""
    h100, mi300x = sizing.gpu_named("H100 SXM"), sizing.gpu_named("MI300X")
    assert h100.bandwidth_scale == h100.gemm_scale == h100.allreduce_scale == 1.0
    assert (
        0.7 < mi300x.bandwidth_scale < 0.8
        and 0.6 < mi300x.gemm_scale < 0.7
        and "Azure" in mi300x.share_source
    )
    l40s = sizing.gpu_named("L40S")
    assert l40s.bandwidth_share is None and l40s.bandwidth_scale == 1.0
    slow = sizing.estimate(70e9, "fp8", "MI300X", 128, 2048, batch=1, gpus=8)
    fast = sizing.estimate(
        70e9, "fp8", replace(mi300x, bandwidth_share=None, gemm_share=None), 128, 2048, 1, 8
    )
    assert slow.output_tokens_per_second < fast.output_tokens_per_second


def test_a_burst_of_variable_lengths_runs_to_the_longest():
    """500 ShareGPT-like requests at once, 256 at a time: the long tail runs at a small batch, so the run
    delivers less than the steady state at 256; a sequence cap given by the run replaces the engine's."""
    kw = dict(params=8.03e9, precision="bf16", gpu="H100 SXM", input_tokens=202, output_tokens=179, batch=500)
    steady = sizing.estimate(**kw, max_seqs=256)
    burst = sizing.estimate(**kw, max_seqs=256, burst=True)
    assert steady.batch == burst.batch == 256 and steady.queued == 244
    assert burst.output_tokens_per_second < 0.8 * steady.output_tokens_per_second
    assert sizing.estimate(**kw).batch == 500  # vLLM's own cap (1,024 on an H100) lets all 500 run


def test_latent_cache_is_kept_whole_on_every_tensor_parallel_gpu():
    ds = sizing.model_named("deepseek-v3")
    kw = dict(active_params=ds.active_params, kv_elements_per_token=ds.kv_elements_per_token, gpus=8)
    split = sizing.estimate(ds.params, "fp8", "H200", 219, 201, **kw)
    whole = sizing.estimate(ds.params, "fp8", "H200", 219, 201, kv_replicated=True, **kw)
    assert whole.kv_gb_per_sequence == pytest.approx(8 * split.kv_gb_per_sequence)
    assert whole.max_batch <= split.max_batch
    assert sizing.Sizing(model="deepseek-v3", precision="fp8", gpu="H200", gpus=8).kwargs()["kv_replicated"]


def test_price_labels_say_spot_where_the_column_was_spot():
    assert (
        sizing.gpu_named("H100 SXM").price_kind == "spot" and "Spot/hr" in sizing.gpu_named("L4").price_source
    )
    assert sizing.gpu_named("A10G").price_kind == "on-demand"


def test_a_throughput_typed_over_a_sizing_forgets_the_sizing_record():
    """The sweep chart draws from throughput_source: a figure typed by hand afterwards is not that sizing's."""
    s = files.load("presets/starter.toml")
    i = next(n for n, o in enumerate(s.options) if o.is_self_hosted)
    record = sizing.Sizing(model="llama-3.1-8b", precision="fp8", gpu="H100 SXM")
    e = record.estimate()
    sized = data_edits.set_throughput(s, i, e.tokens_per_second_per_gpu, e.latency_ms, record.source_text())
    assert sizing.Sizing.from_source(sized.options[i].throughput_source) is not None
    typed = edit.apply_text(sized, ("options", i, "tokens_per_second_per_gpu"), "1234")
    assert typed.options[i].throughput_source == "" and not typed.options[i].throughput_estimated
    same = edit.apply_text(
        sized, ("options", i, "tokens_per_second_per_gpu"), f"{e.tokens_per_second_per_gpu:.1f}"
    )
    assert same.options[i].throughput_source == sized.options[i].throughput_source  # nothing changed
    # a record that is not a sizing (a measurement, in the user's words) is the user's: it stays
    told = edit.apply_text(sized, ("options", i, "throughput_source"), "measured on our cluster, 2026-11")
    again = edit.apply_text(told, ("options", i, "tokens_per_second_per_gpu"), "1500")
    assert again.options[i].throughput_source == "measured on our cluster, 2026-11"


def test_expert_parallel_layout_keeps_each_gpus_own_cache_and_the_shared_weights_whole():
    """Layout "ep" (attention data-parallel, experts expert-parallel): no replicated latent cache, the shared
    weights once per GPU, all-to-all instead of all-reduce, and the layout's own expert share."""
    ds = sizing.model_named("deepseek-v3")
    kw = dict(precision="fp8", gpu="H200", input_tokens=1024, output_tokens=2048, gpus=8, engine="trtllm")
    tp = sizing.estimate(**kw, **ds.kwargs())
    ep = sizing.estimate(**kw, layout="ep", **ds.kwargs())
    assert ep.layout == "ep" and tp.layout == "tp"
    assert ep.kv_gb_per_sequence == pytest.approx(tp.kv_gb_per_sequence / 8)  # each GPU its own sequences
    assert ep.max_batch > 4 * tp.max_batch
    # total = shared + 256 experts, active = shared + 8 of them: the shared part is about 16.5B, kept 8 times
    shared = ds.active_params - 8 * (ds.params - ds.active_params) / 248
    assert ep.weights_gb == pytest.approx((ds.params + 7 * shared) / 1e9)
    assert 15e9 < shared < 18e9
    assert (
        ep.expert_efficiency == sizing.EP_EXPERT_EFFICIENCY
        and tp.expert_efficiency == sizing.MOE_KERNEL_EFFICIENCY
    )
    assert sizing.alltoall_seconds(1024, 37e9, 1, "nvlink", 61, 8) == 0
    assert sizing.alltoall_seconds(2048, 37e9, 8, "nvlink", 61, 8) > sizing.alltoall_seconds(
        1024, 37e9, 8, "nvlink", 61, 8
    )
    # Mixtral keeps the dense roofline under either layout (no run measured its share)
    mix = sizing.estimate(**kw, layout="ep", **sizing.model_named("mixtral-8x7b").kwargs())
    assert mix.expert_efficiency == 1


def test_expert_parallel_layout_is_refused_where_it_means_nothing():
    kw = dict(precision="fp8", gpu="H200", gpus=8)
    with pytest.raises(sizing.SizingError, match="mixture of experts"):
        sizing.estimate(**kw, layout="ep", **sizing.model_named("llama-3.1-70b").kwargs())
    with pytest.raises(sizing.SizingError, match="2 or more GPUs"):
        sizing.estimate(**(kw | {"gpus": 1}), layout="ep", **sizing.model_named("deepseek-v2-lite").kwargs())
    with pytest.raises(sizing.SizingError, match="unknown layout"):
        sizing.estimate(**kw, layout="xp", **sizing.model_named("deepseek-v3").kwargs())
    with pytest.raises(sizing.SizingError, match="expert count"):  # a MoE given by its sizes only
        sizing.estimate(671e9, layout="ep", active_params=37e9, **kw)


def test_the_layout_is_recorded_and_read_back():
    s = sizing.Sizing(model="deepseek-v3", precision="fp8", gpu="H200", gpus=8, engine="trtllm", layout="ep")
    text = s.source_text("2026-12-03")
    assert ", layout ep" in text
    back = sizing.Sizing.from_source(text)
    assert back is not None and back.layout == "ep" and back.estimate() == s.estimate()
    plain = sizing.Sizing(model="deepseek-v3", precision="fp8", gpu="H200", gpus=8)
    assert (
        "layout" not in plain.source_text() and sizing.Sizing.from_source(plain.source_text()).layout == "tp"
    )


def test_fp4_runs_at_the_b200s_fp4_rate():
    """The B200 has FP4 tensor cores at twice its FP8 rate; a GPU without them counts FP4 at FP8."""
    b200 = sizing.gpu_named("B200")
    assert b200.fp4_tflops == 2 * b200.fp8_tflops
    kw = dict(input_tokens=8000, output_tokens=1, batch=1)
    fp8 = sizing.estimate(70.6e9, "fp8", "B200", **kw)
    fp4 = sizing.estimate(70.6e9, "fp4", "B200", **kw)
    assert fp4.ttft_ms < 0.6 * fp8.ttft_ms  # prefill is arithmetic: about half the time
    h = [sizing.estimate(70.6e9, p, "H200", **kw).ttft_ms for p in ("fp8", "fp4")]
    assert h[1] == pytest.approx(h[0], rel=0.05)


def test_attention_data_parallel_with_tensor_parallel_experts():
    """Layout "dp" (SGLang --enable-dp-attention alone): each GPU its own sequences' cache and the shared
    weights whole, as under "ep", but the experts split and reduced as under "tp", at the "tp" share."""
    ds = sizing.model_named("deepseek-v3")
    kw = dict(precision="fp8", gpu="H200", input_tokens=3200, output_tokens=800, gpus=8, batch=64)
    tp, dp, ep = (sizing.estimate(**kw, layout=x, **ds.kwargs()) for x in ("tp", "dp", "ep"))
    assert (
        dp.kv_gb_per_sequence
        == pytest.approx(ep.kv_gb_per_sequence)
        == pytest.approx(tp.kv_gb_per_sequence / 8)
    )
    assert dp.weights_gb == pytest.approx(ep.weights_gb) and dp.weights_gb > tp.weights_gb
    assert dp.expert_efficiency == tp.expert_efficiency == sizing.MOE_KERNEL_EFFICIENCY
    assert dp.max_batch > tp.max_batch
    with pytest.raises(sizing.SizingError, match="attention data parallel"):
        sizing.estimate(**kw, layout="dp", **sizing.model_named("llama-3.1-70b").kwargs())


def test_a_mixture_of_experts_estimate_carries_the_published_spread():
    from workbench.model import published

    ds = sizing.model_named("deepseek-v3")
    small = published.moe_caution(16, ds.active_params, ds.params)
    assert small.startswith("caution: at 128 or fewer") and "published mixture-of-experts runs" in small
    assert published.moe_caution(16, None, 70e9) == "" and published.moe_caution(16, 70e9, 70e9) == ""
    lines = cli_data.size_lines(
        sizing.estimate(precision="fp8", gpu="H200", gpus=8, batch=16, **ds.kwargs()), "deepseek-v3"
    )
    assert any(line.startswith("caution:") and "--measured" in line for line in lines)
