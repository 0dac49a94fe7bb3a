"""Renaming a row renames the version-2 references to it (an option's fallback, [pretraining].gpu), as
it renames an option's model and GPU: the rename was refused as a dangling reference."""

from __future__ import annotations

from helpers import STARTER

from workbench.edits import edit
from workbench.store import files


def test_renaming_an_option_renames_the_fallbacks_that_name_it():
    s = edit.apply_text(files.load(STARTER), ("options", 2, "fallback"), "API + RAG + caching")
    new = edit.apply_text(s, ("options", 1, "name"), "RAG")
    assert new.options[2].fallback == "RAG"


def test_renaming_a_gpu_renames_the_pretraining_gpu():
    s = edit.apply_text(files.load(STARTER), ("pretraining", "gpu"), "L40S (RunPod)")
    new = edit.apply_text(s, ("gpus", 1, "name"), "L40S")
    assert new.pretraining.gpu == "L40S" and new.options[3].gpu == "L40S"


def test_space_skips_a_choice_the_scenario_refuses():
    """pretrain cycles none -> continued -> scratch; continued needs pretrain_tokens, so space on a
    self-hosted option without them goes to scratch (it used to stop at the refusal, for good)."""
    s = edit.apply_text(files.load(STARTER), ("gpus", 0, "bf16_tflops"), "756")
    s = edit.apply_text(s, ("pretraining", "gpu"), s.gpus[0].name)
    new = edit.cycle(s, ("options", 2, "pretrain"))
    assert new.options[2].pretrain == "scratch"
    assert edit.cycle(new, ("options", 2, "pretrain")).options[2].pretrain == "none"
