"""GPU sizing: the table, the roofline estimate against NVIDIA's published figures, the CLI and the edit."""

from __future__ import annotations

import json

import pytest
from helpers import until

from workbench.cli.run import main
from workbench.edits import data as data_edits
from workbench.edits import edit
from workbench.model import sizing
from workbench.store import files

REQUIRED = ("H100 PCIe", "H100 SXM", "H200", "A100 40GB", "A100 80GB", "L40S", "L4", "A10G", "RTX 4090")


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


@pytest.mark.parametrize(
    "model,gpu,gpus,published",
    [("llama-3.1-8b", "H100 SXM", 1, 15220), ("llama-3.3-70b", "H100 SXM", 2, 4205)],
)
def test_estimate_within_2x_of_tensorrt_llm_published(model, gpu, gpus, published):
    """NVIDIA TensorRT-LLM perf overview, FP8, 1,000 in / 1,000 out tokens, total output tokens/s."""
    shape = sizing.model_named(model)
    e = sizing.estimate(
        shape.params, "fp8", gpu, 1000, 1000, gpus=gpus, kv_elements_per_token=shape.kv_elements_per_token
    )
    assert e.fits
    ratio = e.output_tokens_per_second / published
    assert 0.5 <= ratio <= 2.0
    # The figures the README quotes (so the README cannot drift from the code unnoticed):
    assert round((ratio - 1) * 100) == {15220: 17, 4205: 23}[published]
    assert e.tokens_per_second_per_gpu == pytest.approx(e.output_tokens_per_second / gpus)


def test_every_published_point_within_2x():
    rows = sizing.published_comparison()
    assert len(rows) >= 8
    for r in rows:
        assert 0.5 <= r["estimate"] / r["published"] <= 2.0, r


def test_roofline_behaves_like_the_hardware():
    small = sizing.estimate(8e9, "fp8", "H100 SXM", 1000, 500, batch=1)
    assert small.decode_bound == "memory"
    # batch 1 decode reads the 8 GB of weights per token: about 3.35 TB/s * 0.8 / 8 GB = 335 tok/s
    assert small.tokens_per_second_per_user == pytest.approx(3350e9 * 0.8 / (8e9 + 1250 * 65536), rel=0.01)
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
    e = sizing.estimate(8e9, "fp8", "L4", 1000, 500, batch=10_000)
    assert not e.fits and "max batch" in e.why
    assert sizing.estimate(70e9, "fp8", "H100 SXM", 1000, 500, gpus=2).fits
    with pytest.raises(sizing.SizingError, match="precision"):
        sizing.estimate(8e9, "fp7", "L4")


def test_no_fp8_tensor_cores_computes_at_bf16():
    a100 = sizing.gpu_named("A100 80GB")
    assert a100.fp8_tflops is None
    fp8 = sizing.estimate(8e9, "fp8", a100, 2000, 10, batch=64)
    bf16 = sizing.estimate(8e9, "bf16", a100, 2000, 10, batch=64)
    # prefill-dominated: the same arithmetic rate, so nearly the same throughput despite smaller weights
    assert fp8.tokens_per_second_per_gpu == pytest.approx(bf16.tokens_per_second_per_gpu, rel=0.1)


def test_cli_size(capsys):
    assert (
        main(
            [
                "size",
                "--model-params",
                "8e9",
                "--precision",
                "fp8",
                "--gpu",
                "H100 SXM",
                "--input-tokens",
                "1000",
                "--output-tokens",
                "1000",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "fits" in out and "tok/s per GPU" in out and "efficiency" in out
    assert (
        main(
            [
                "size",
                "--model",
                "llama-3.3-70b",
                "--precision",
                "fp8",
                "--gpu",
                "H100 SXM",
                "--gpus",
                "2",
                "--output-tokens",
                "1000",
                "--format",
                "json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["fits"] and doc["kv_shape"] == "given" and doc["efficiency"]["tensor_parallel"] == 0.85
    assert main(["size", "--model-params", "70e9", "--gpu", "L4"]) == 0
    assert "does NOT fit" in capsys.readouterr().out
    assert main(["size", "--model-params", "8e9", "--gpu", "H101"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("size: unknown GPU 'H101'") and "\n" not in err
    assert main(["size", "--gpu", "L4"]) == 1
    assert "--model-params" in capsys.readouterr().err
    assert main(["gpus"]) == 0
    assert "RTX 4090" in capsys.readouterr().out


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
