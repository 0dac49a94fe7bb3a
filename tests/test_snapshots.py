"""Snapshot tests (pytest-textual-snapshot): the main screen and the Compare tab at 80x24 and 120x40.

Update after an intended change with `pytest tests/test_snapshots.py --snapshot-update`, and look at the
SVGs it writes before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import files
from workbench.document import Document
from workbench.tui.app import WorkbenchApp

PRESETS = Path(__file__).resolve().parent.parent / "presets"
SIZES = [(80, 24), (120, 40)]


def app_for(*names: str) -> WorkbenchApp:
    return WorkbenchApp([Document(files.load(PRESETS / f"{n}.toml"), PRESETS / f"{n}.toml") for n in names])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, size):
    assert snap_compare(app_for("starter"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_results_pane(snap_compare, size):
    assert snap_compare(app_for("loan-underwriting-100k"), terminal_size=size, press=["f5"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_tab(snap_compare, size):
    assert snap_compare(app_for("starter", "loan-underwriting-100k"), terminal_size=size, press=["m"])
