"""The shipped presets: every one validates and reports the version-2 keys, and the three version-2
presets show what they were written for (a provider's training bill, a hybrid's fallback while it rolls
out, the compute of pre-training), each checked against the file's own inputs, computed here by hand."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from helpers import PRESETS

from workbench.cli.run import main

ALL = sorted(PRESETS.glob("*.toml"))
PROVIDER = PRESETS / "ticket-triage-provider-tuned.toml"
HYBRID = PRESETS / "medical-coding-hybrid.toml"
UNIQUE = PRESETS / "unique-domain-pretraining.toml"


def report(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, Any]:
    assert main(["report", str(path), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def option(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(o for o in data["options"] if o["name"] == name)


def row(rows: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(r for r in rows if r["name"] == name)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_every_preset_validates_and_reports_the_v2_keys(path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    data = report(capsys, path)
    H = data["horizon_months"]
    for o in data["options"]:
        assert len(o["components"]["fallback"]) == len(o["components"]["pretraining"]) == H
        assert "pretrain_gpu_hours" in o and "pretrain_days" in o


def test_the_new_presets_are_version_2():
    for path in (PROVIDER, HYBRID, UNIQUE):
        assert tomllib.loads(path.read_text())["schema_version"] == 2


def test_the_provider_fine_tune_bills_training_tokens(capsys: pytest.CaptureFixture[str]):
    raw = tomllib.loads(PROVIDER.read_text())
    t, ov = raw["training"], raw["overheads"]
    tuned = next(o for o in raw["options"] if o.get("train_on") == "provider")
    model = row(raw["api_models"], tuned["model"])
    run = t["examples"] * t["tokens_per_example"] * t["epochs"] * model["training_per_mtok"] / 1e6
    labeling = (
        (t["examples"] - t["already_labeled"])
        * ov["labeling_cost_per_example"]
        * (1 + ov["labeling_qa_overhead"])
    )
    expected = tuned["setup_cost"] + t["runs"] * run + labeling + ov["eval_setup"]
    o = option(report(capsys, PROVIDER), tuned["name"])
    assert run > 0
    assert o["components"]["one_time"][0] == pytest.approx(expected, rel=1e-12)
    assert all(v == 0 for v in o["components"]["one_time"][1:])
    # a retrain repeats the provider run (flat prices here) and a share of the labeling
    k = t["retrain_every_months"]
    assert o["components"]["retrain"][k] == pytest.approx(run + t["relabel_share"] * labeling, rel=1e-12)


def test_the_hybrid_sends_the_rest_to_its_fallback_while_it_rolls_out(capsys: pytest.CaptureFixture[str]):
    raw = tomllib.loads(HYBRID.read_text())
    hybrid = next(o for o in raw["options"] if o.get("fallback"))
    fallback = row(raw["options"], hybrid["fallback"])
    assert fallback["serve"] == "api" and not fallback.get("rag") and not fallback.get("review_rate")
    data = report(capsys, HYBRID)
    o, f = option(data, hybrid["name"]), option(data, fallback["name"])
    live, ramp = hybrid["go_live_month"], hybrid["rollout"]
    assert live > 1 and ramp == [0.05, 0.25] and hybrid["fallback_share"] > 0
    # s(o, m): nothing before going live, the ramp, then everything but the fallback share
    share = [0.0] * (live - 1) + ramp
    share += [1 - hybrid["fallback_share"]] * (data["horizon_months"] - len(share))
    for m, s in enumerate(share):
        # the fallback serves 1 - s of the traffic at its own per-request cost: its inference bill
        expected = (1 - s) * f["components"]["inference"][m]
        assert o["components"]["fallback"][m] == pytest.approx(expected, rel=1e-12)
    assert all(v > 0 for v in o["components"]["fallback"][: live + len(ramp)])
    assert all(v == 0 for v in o["components"]["inference"][: live - 1])


def test_the_unique_domain_preset_prices_both_pre_training_runs(capsys: pytest.CaptureFixture[str]):
    raw = tomllib.loads(UNIQUE.read_text())
    assert raw["requirements"]["unique_domain_without_public_data"] is True
    p = raw["pretraining"]
    gpu = row(raw["gpus"], p["gpu"])
    data = report(capsys, UNIQUE)
    kinds = set()
    for spec in (o for o in raw["options"] if o.get("pretrain", "none") != "none"):
        kinds.add(spec["pretrain"])
        tokens = spec["pretrain_tokens"] or 20 * p["params"]
        hours = p["attempts"] * 6 * p["params"] * tokens / (gpu["bf16_tflops"] * 1e12 * p["mfu"]) / 3600
        o = option(data, spec["name"])
        assert o["pretrain_gpu_hours"] == pytest.approx(hours, rel=1e-12)
        assert o["pretrain_days"] == pytest.approx(hours / p["gpus"] / 24, rel=1e-12)
        assert hours > 0
        assert o["components"]["pretraining"][0] == pytest.approx(hours * gpu["hourly"], rel=1e-12)
        assert all(v == 0 for v in o["components"]["pretraining"][1:])
    assert kinds == {"continued", "scratch"}
    # the other options pre-train nothing
    for o in data["options"]:
        if o["name"] not in {s["name"] for s in raw["options"] if s.get("pretrain", "none") != "none"}:
            assert o["pretrain_gpu_hours"] is None and not any(o["components"]["pretraining"])
