"""The content-keyed cell cache (workbench/tui/widgets/table.py) draws exactly what DataTable draws.

After edits, cursor moves and focus changes, every table of the tab is rendered as the app shows it
(cache on) and again from scratch through DataTable's own code (cache off); the lines must be equal, so a
stale cache entry (a cell showing an old figure) fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import DataTable

from workbench.session.document import Document
from workbench.store import files
from workbench.tui.app import WorkbenchApp
from workbench.tui.grids.grid import FieldGrid
from workbench.tui.textual_fixes import CellCache

PRESETS = Path(__file__).resolve().parent.parent / "presets"


def _lines(table: DataTable) -> list[list[tuple]]:
    w, h = table.size
    return [[(seg.text, seg.style) for seg in strip] for strip in table.render_lines(Region(0, 0, w, h))]


def _from_scratch(table: DataTable, monkeypatch) -> list[list[tuple]]:
    with monkeypatch.context() as m:
        m.setattr(CellCache, "_content_key", lambda self, *args: None)
        table._clear_caches()
        table._update_count += 1
        table._styles_cache.clear()
        return _lines(table)


async def _check_every_table(app, monkeypatch) -> int:
    checked = 0
    for table in app.screen.query(DataTable):
        if not isinstance(table, CellCache) or not table.display or not table.size.area:
            continue
        shown = _lines(table)
        assert shown == _from_scratch(table, monkeypatch), f"{table!r} differs from DataTable's rendering"
        checked += 1
    return checked


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_cached_cells_render_like_datatable(size, monkeypatch):
    doc = Document(files.load(PRESETS / "starter.toml"), PRESETS / "starter.toml")
    app = WorkbenchApp([doc])
    async with app.run_test(size=size) as pilot:
        view = app.active_view()
        view.action_pane("workload")
        await pilot.pause()
        grid = view.query_one("#grid-workload", FieldGrid)
        grid.focus()
        await pilot.pause()
        checked = 0
        for value in ("25000", "31000", "25000"):
            grid.move_cursor(row=grid._rows.index(("workload", "requests_per_day")))
            await pilot.pause()
            await pilot.press("enter")
            view.query_one("#edit-input").value = value
            await pilot.press("enter")
            await pilot.pause()
            assert view.doc.scenario.workload.requests_per_day == float(value)
            checked += await _check_every_table(app, monkeypatch)
            await pilot.press("down", "down")
            checked += await _check_every_table(app, monkeypatch)
        for key in ("f5", "down", "right", "f4", "right", "down", "f8", "down", "f1"):
            await pilot.press(key)
            await pilot.pause()
            checked += await _check_every_table(app, monkeypatch)
        await pilot.press("u")  # undo: the figures go back to values shown before
        await pilot.pause()
        checked += await _check_every_table(app, monkeypatch)
        assert checked > 10
