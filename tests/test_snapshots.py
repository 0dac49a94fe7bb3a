"""Snapshot tests (pytest-textual-snapshot): the main screen and the Compare tab at 80x24 and 120x40.

Update after an intended change with `pytest tests/test_snapshots.py --snapshot-update`, and look at the
SVGs it writes before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.session.document import Document
from workbench.store import files
from workbench.tui.app import WorkbenchApp
from workbench.tui.textual_fixes import KeyFooter

PRESETS = Path(__file__).resolve().parent.parent / "presets"
SIZES = [(80, 24), (120, 40)]


def app_for(*names: str) -> WorkbenchApp:
    return WorkbenchApp([Document(files.load(PRESETS / f"{n}.toml"), PRESETS / f"{n}.toml") for n in names])


def settled(*keys: str):
    """Press the keys once the app has settled, and wait until it has settled again: the focus is in a
    grid (it moves there after the first frame) and the footer shows the keys of what is focused. On a
    loaded machine the screenshot was otherwise taken before the footer caught up."""

    async def run_before(pilot) -> None:
        app = pilot.app

        def quiet() -> bool:
            footer = app.query_one(KeyFooter)
            return (
                app.focused is not None
                and footer._bindings_ready
                and footer._wanted == footer._keys()
                and not footer._recompose_required
            )

        for group in ((), *((k,) for k in keys)):
            await pilot.press(*group)
            for _ in range(500):  # frames, not seconds
                if quiet():
                    break
                await pilot.pause()
            assert quiet()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, size):
    assert snap_compare(app_for("starter"), terminal_size=size, run_before=settled())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_results_pane(snap_compare, size):
    assert snap_compare(app_for("loan-underwriting-100k"), terminal_size=size, run_before=settled("f5"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_tab(snap_compare, size):
    assert snap_compare(
        app_for("starter", "loan-underwriting-100k"), terminal_size=size, run_before=settled("m")
    )
