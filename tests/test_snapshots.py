"""Snapshot tests (pytest-textual-snapshot): the main screen, every pane of the registry, the split view and
the Compare tab, at 80x24 and 160x45.

Update after an intended change with `pytest tests/test_snapshots.py --snapshot-update`, and look at the
SVGs it writes before committing them.
"""

from __future__ import annotations

import pytest
from helpers import make_app

from workbench.tui.panes import registry
from workbench.tui.textual_fixes import KeyFooter

SIZES = [(80, 24), (160, 45)]


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
            await app.workers.wait_for_complete()  # the panes that compute when shown (a tornado, a run)
            await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, size):
    assert snap_compare(make_app("starter"), terminal_size=size, run_before=settled())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_results_pane(snap_compare, size):
    assert snap_compare(make_app("loan-underwriting-100k"), terminal_size=size, run_before=settled("f5"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_tab(snap_compare, size):
    assert snap_compare(
        make_app("starter", "loan-underwriting-100k"), terminal_size=size, run_before=settled("m")
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("pane", [p for p in registry.PANES if p.id != "results"], ids=lambda p: p.id)
def test_every_pane(snap_compare, monkeypatch, pane, size):
    """Each pane of the registry (Results has its own test above), brought to the front by its key, on the
    starter preset. The Monte Carlo run's clock reads 0, so the Simulation pane says "0.00 s"."""
    from types import SimpleNamespace

    from workbench.model import montecarlo

    monkeypatch.setattr(montecarlo, "time", SimpleNamespace(perf_counter=lambda: 0.0))
    assert snap_compare(make_app("starter"), terminal_size=size, run_before=settled(pane.fkey))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("pane", ["f5", "f6", "f7", "f8"], ids=["results", "ladder", "plots", "risks"])
def test_split_view(snap_compare, pane, size):
    """Two scenarios side by side (stacked below 120 columns), each half on the same pane."""
    assert snap_compare(
        make_app("starter", "two-million-tokens-a-day"),
        terminal_size=size,
        run_before=settled("backslash", pane),
    )
