"""One scenario tab: input grids on one side, result panes on the other, an edit bar and a status line.

Data flows one way: a grid posts what the user asked for, `workbench.edits.edit` makes a new Scenario, the
Document records it, and `refresh_all` re-renders every pane from the new Analysis in the same handler.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Input, Label, Static, TabbedContent, TabPane

from workbench.edits import edit
from workbench.session.document import Document
from workbench.tui.data_screens import DataViewActions
from workbench.tui.grids.grid import FieldGrid, Grid, RowGrid, about_of, help_of, sections_for
from workbench.tui.panes.analysis import (
    ANALYSIS_INPUTS,
    ANALYSIS_OUTPUTS,
    AnalysisViewActions,
    SensitivityPane,
    SimulationPane,
    UncertaintyGrid,
)
from workbench.tui.panes.plots import PlotsPane
from workbench.tui.panes.tables import BreakdownTable, LadderView, ResultsTable, RiskTable, risk_detail

WIDE = 120  # columns from which the inputs and the outputs are side by side (app.HORIZONTAL_BREAKPOINTS)
INPUT_PANES = ("pricing", "workload", "overheads", "options", *ANALYSIS_INPUTS)
OUTPUT_PANES = ("results", "ladder", "plots", "risks", *ANALYSIS_OUTPUTS)
ROW_TABLES = {"grid-api_models": "api_models", "grid-gpus": "gpus", "grid-options": "options"}


class EditBar(Horizontal):
    """The formula bar: the cell being edited, its value, and why a value was refused."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    class Cancelled(Message):
        pass

    def compose(self) -> ComposeResult:
        yield Label("", id="edit-label")
        yield Input(id="edit-input", select_on_focus=False)
        yield Static("", id="edit-error")

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class ScenarioView(DataViewActions, AnalysisViewActions, Vertical):
    """Everything about one open scenario."""

    BINDINGS = [
        Binding("a", "add_row", "Add row", tooltip="Add a row below the cursor"),
        Binding(
            "D", "delete_row", "Del row", tooltip="Delete the row under the cursor (undo brings it back)"
        ),
        Binding("C", "duplicate_row", "Dup row", tooltip="Duplicate the row under the cursor"),
        Binding("r", "rename_row", "Rename", tooltip="Rename the row under the cursor"),
    ]

    class Changed(Message):
        """The scenario of this view changed (an edit, an undo, a save)."""

        def __init__(self, view: ScenarioView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, doc: Document, **kwargs) -> None:
        super().__init__(**kwargs)
        self.doc = doc
        self.focus_option = 0
        self._editing: tuple | None = None  # path being edited, or ("risk-note", id)
        self._edit_grid = None
        self._half = "inputs"
        self._keep_status = False
        self._interrupted = ""  # why an edit was cancelled while the window was too small to say so

    def compose(self) -> ComposeResult:
        with Horizontal(id="halves"):
            with TabbedContent(id="inputs", initial="pricing"):
                with TabPane("Pricing", id="pricing"):
                    yield Label("API models (price per 1M tokens)", classes="grid-title")
                    yield RowGrid("api_models", id="grid-api_models")
                    yield Label("GPUs (price per GPU-hour)", classes="grid-title")
                    yield RowGrid("gpus", id="grid-gpus")
                with TabPane("Workload", id="workload"):
                    yield FieldGrid(
                        sections_for(
                            [None, "workload", "market", "requirements"],
                            ("name", "currency", "horizon_months"),
                        ),
                        id="grid-workload",
                    )
                with TabPane("Overheads", id="overheads"):
                    yield FieldGrid(sections_for(["overheads", "training", "rag"]), id="grid-overheads")
                with TabPane("Options", id="options"):
                    yield RowGrid("options", id="grid-options")
                with TabPane("Uncertainty", id="uncertainty"):
                    yield Label(
                        "Ranges for the Simulation pane: type Low and High · space adds ±25% · an empty "
                        "Low removes",
                        classes="grid-title",
                    )
                    yield UncertaintyGrid(id="grid-uncertainty")
            with TabbedContent(id="outputs", initial="results"):
                with TabPane("Results", id="results"):
                    yield ResultsTable(id="results-table")
                    yield BreakdownTable(id="breakdown")
                with TabPane("Ladder", id="ladder"):
                    yield LadderView(id="ladder-view")
                with TabPane("Plots", id="plots"):
                    yield PlotsPane(id="plots-pane")
                with TabPane("Risks", id="risks"):
                    yield RiskTable(id="risk-table")
                    yield Static("", id="risk-detail")
                with TabPane("Sensitivity", id="sensitivity"):
                    yield SensitivityPane(id="sensitivity-pane")
                with TabPane("Simulation", id="simulation"):
                    yield SimulationPane(id="simulation-pane")
        yield EditBar(id="edit-bar")
        yield Static("", id="status")

    def on_mount(self) -> None:
        self.query_one(EditBar).display = False
        self.refresh_all(flash=False)
        self.set_half("inputs")

    # --- rendering ----------------------------------------------------------------------------
    def refresh_all(self, flash: bool = True) -> None:
        """Re-render every grid and pane from the current scenario; the only way panes change."""
        s = self.doc.scenario
        a = self.doc.analysis()
        for grid in self._found("grids", lambda: list(self.query(Grid))):
            grid.follow(s)
        n = len(a.results.options)
        self.focus_option = max(0, min(self.focus_option, n - 1)) if n else 0
        self._found(ResultsTable).show(a)
        self._found(BreakdownTable).show(a, self.focus_option)
        self._found(LadderView).show(a)
        self._found(PlotsPane).show(a, self.focus_option)
        self._found(RiskTable).show(a)
        self.refresh_analysis(a)
        self.post_message(self.Changed(self))

    def _found(self, key, find=None):
        """`query_one(key)` (or `find()`), remembered while the widgets stay mounted: a query walks the
        whole tab's DOM, a few milliseconds each, and refresh_all runs on every edit."""
        cache = self.__dict__.setdefault("_found_cache", {})
        hit = cache.get(key)
        if hit is None or not all(w.is_attached for w in (hit if isinstance(hit, list) else [hit])):
            hit = cache[key] = find() if find is not None else self.query_one(key)
        return hit

    def status(self, text: str, error: bool = False, keep: bool = False) -> None:
        """Show `text` on the status line; `keep`: also when a grid takes the focus next (which would
        show the cell's help instead)."""
        if keep:
            self._keep_status = True
        st = self.query_one("#status", Static)
        # plain text: option names and keys like "[" are not markup; one line, so no layout pass
        st.update(Text(text), layout=False)
        st.set_class(error, "error")

    # --- halves and panes ------------------------------------------------------------------------
    def set_half(self, half: str) -> None:
        self._half = half
        self.apply_half()

    def apply_half(self, width: int | None = None) -> None:
        """Below WIDE columns one half (inputs or outputs) is shown at a time, from WIDE both.

        Set as each half's own `display`, not as a CSS class on the tab: a class change re-applies the
        style sheet to every widget of the tab (about 30 ms), and the focus moves between the halves
        on every edit (the grid, then the results), even where both are on screen."""
        narrow = (self.app.size.width if width is None else width) < WIDE
        for half in ("inputs", "outputs"):
            try:
                widget = self._found(f"#{half}")
            except NoMatches:  # a tab still being composed: its on_mount sets its half
                return
            shown = not narrow or getattr(self, "_half", "inputs") == half
            if widget.display != shown:
                widget.display = shown

    def action_other_half(self) -> None:
        target = "outputs" if self._half == "inputs" else "inputs"
        self.set_half(target)
        tc = self.query_one(f"#{target}", TabbedContent)
        self._focus_pane(tc.active)

    def action_pane(self, pane: str) -> None:
        half = "inputs" if pane in INPUT_PANES else "outputs"
        self.set_half(half)
        self.query_one(f"#{half}", TabbedContent).active = pane
        self._focus_pane(pane)

    def _focus_pane(self, pane: str) -> None:
        """Focus the pane's first widget now (not after a refresh): keys typed right after the pane
        key must land there, and a focused widget left in a hidden pane would steal them."""
        try:
            pane_widget = self.query_one(f"#{pane}", TabPane)
        except Exception:
            return
        for w in pane_widget.query("*"):
            if w.can_focus and not w.disabled:
                self.screen.set_focus(w)
                return

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        half = event.tabbed_content.id
        if half in ("inputs", "outputs"):
            seen = self.__dict__.setdefault("_halves_activated", set())
            if half not in seen:  # each half's initial tab, posted while mounting: not the user's choice
                seen.add(half)  # (following it flipped the tab's CSS class twice at start-up, ~0.1 s each)
                return
            self.set_half(half)
        if half == "outputs":
            self.status(self.pane_status(event.pane.id))

    def pane_status(self, pane: str | None) -> str:
        """What the status line says on a result pane."""
        a = self.doc.analysis()
        rec = a.ladder.recommendation
        if pane == "results":
            return self.query_one(ResultsTable).full_precision()
        if pane == "ladder":
            return f"★ step {rec.step}, {rec.option}: verdicts ✔ go – not needed … not yet ✖ blocked"
        if pane == "plots":
            return "[ and ] switch plots · the cumulative plot marks each option's breakeven month"
        if pane == "risks":
            flagged = [x for x in a.risks if x.flagged]
            open_ = [x for x in flagged if not x.mitigated]
            return f"{len(flagged)} risks flagged, {len(open_)} open · space ticks mitigated · Enter writes a note"
        return self.analysis_pane_status(pane)

    @on(RiskTable.Focused)
    def _risk_focused(self, event: RiskTable.Focused) -> None:
        self.query_one("#risk-detail", Static).update(risk_detail(event.risk))

    # --- focus and status ----------------------------------------------------------------------
    @on(Grid.Focused)
    def _grid_focused(self, event: Grid.Focused) -> None:
        self.set_half("inputs")
        if self._keep_status:
            self._keep_status = False  # the grid regained focus after an edit: keep its message
        elif event.path is None:
            self.status("")
        else:
            self.status(help_of(event.path))
        if event.path is None:
            return
        if event.grid.id == "grid-options" and isinstance(event.path[1], int):
            self._set_focus_option(event.path[1])

    @on(ResultsTable.OptionFocused)
    def _option_focused(self, event: ResultsTable.OptionFocused) -> None:
        self._set_focus_option(event.index)
        self.status(self.query_one(ResultsTable).full_precision())

    def _set_focus_option(self, index: int) -> None:
        if index != self.focus_option:
            self.focus_option = index
            a = self.doc.analysis()
            self.query_one(BreakdownTable).show(a, index)
            self.query_one(PlotsPane).show(a, index)

    # --- editing -------------------------------------------------------------------------------
    @on(Grid.EditRequested)
    def _edit_requested(self, event: Grid.EditRequested) -> None:
        self.open_editor(event.path, event.text, grid=event.grid)

    def open_editor(self, path: tuple, text: str, grid=None, label: str | None = None) -> None:
        self._editing = path
        self._edit_grid = grid
        bar = self.query_one(EditBar)
        bar.display = True
        where = label or ".".join(str(p + 1) if isinstance(p, int) else p for p in path)
        self.query_one("#edit-label", Label).update(Content(f" {where} = "))
        # The bar covers the status line while it is open: it carries the cell's help after the keys.
        about = about_of(path, bounds_first=True) if path[0] != "risk-note" else ""
        self.query_one("#edit-error", Static).update(
            Text("Enter commits · Esc cancels" + (f" · {about}" if about else ""))
        )
        self.query_one("#edit-error", Static).remove_class("error")
        inp = self.query_one("#edit-input", Input)
        inp.value = text
        self.screen.set_focus(inp)  # now, so the next keys typed land in the editor
        inp.cursor_position = len(text)
        if path[0] != "risk-note":
            self.status(help_of(path))

    def close_editor(self) -> None:
        self._editing = None
        # Focus first, then hide the bar: hiding the focused Input first would move the focus to some
        # other widget and then to the grid, and each move rebuilds the footer (a layout pass each).
        target = self._edit_grid if self._edit_grid is not None else self.query_one(RiskTable)
        self._keep_status = self._edit_grid is not None
        self.screen.set_focus(target)
        self.query_one(EditBar).display = False

    @on(EditBar.Cancelled)
    def _cancelled(self) -> None:
        self.close_editor()
        self.status("edit cancelled; nothing changed")

    def interrupt_edit(self, why: str):
        """Cancel an open edit that something other than the user's keys interrupted (the window got too
        small to show it): the keys typed next must start a new edit, not be glued to the hidden one.
        Returns the grid the edit came from (where the focus belongs afterwards), or None."""
        if self._editing is None:
            return None
        typed = self.query_one("#edit-input", Input).value
        grid = self._edit_grid
        self.close_editor()
        self._interrupted = f"edit cancelled, {why}; nothing changed (you had typed {typed!r})"
        self.status(self._interrupted, error=True)
        return grid

    def show_interrupted(self) -> None:
        """Say again why an edit was cancelled, once the window is large enough to read it."""
        if self._interrupted:
            self.status(self._interrupted, error=True)
            self._interrupted = ""

    def editor_key(self, event) -> None:
        """A key that reached a grid while the editor is open (it was queued before the focus moved)."""
        inp = self.query_one("#edit-input", Input)
        if event.key == "escape":
            self._cancelled()
        elif event.key == "enter":  # "55k⏎" arriving in one packet: the Enter was queued here too
            self.submit_editor()
        elif event.key == "backspace":
            inp.action_delete_left()
        elif event.is_printable and event.character:
            inp.insert_text_at_cursor(event.character)

    def submit_editor(self) -> None:
        self._submit(self.query_one("#edit-input", Input).value)

    @on(Input.Submitted, "#edit-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self._submit(event.value)

    def _submit(self, value: str) -> None:
        path = self._editing
        if path is None:
            return
        try:
            if path[0] == "risk-note":
                new = edit.set_risk(self.doc.scenario, path[1], note=value)
            else:
                new = edit.apply_text(self.doc.scenario, path, value)
        except edit.EditError as exc:
            err = self.query_one("#edit-error", Static)
            err.update(Text(f"✖ {exc}"))
            err.add_class("error")
            self.status(f"not changed: {exc}", error=True)
            return
        # Recompute and refresh the panes first, then give the focus back: the panes' repaints then
        # reach the screen no later than the grid's, and the next frame carries them all (the other
        # way round, the first frame showed only the grid and the results waited two frames more).
        self.commit(new, f"{'.'.join(map(str, path))} = {value.strip()}")
        self.close_editor()

    def commit(self, new, what: str) -> None:
        if self.doc.push(new):
            self.refresh_all()
            self.status(f"✔ {what}")
        else:
            self.status(f"{what}: unchanged")

    @on(Grid.CellAction)
    def _cell_action(self, event: Grid.CellAction) -> None:
        path = event.path
        if event.action == "cycle":
            try:
                new = edit.cycle(self.doc.scenario, path)
            except edit.EditError as exc:
                self.status(str(exc), error=True)
                return
            self.commit(new, f"{'.'.join(map(str, path))} = {edit.display(edit.get_value(new, path))}")
        elif event.action == "copy":
            try:  # the row may be gone: an undo can land between the key and this message
                text = edit.display(edit.current_value(self.doc.scenario, path))
            except edit.EditError as exc:
                self.status(str(exc), error=True)
                return
            self.app.clipboard_text = text
            try:
                self.app.copy_to_clipboard(text)
            except Exception:
                pass
            self.status(f"copied {text!r}")
        elif event.action == "paste":
            text = getattr(self.app, "clipboard_text", "")
            if not text:
                self.status("nothing copied yet (y copies a cell)", error=True)
                return
            try:
                new = edit.apply_text(self.doc.scenario, path, text)
            except edit.EditError as exc:
                self.status(f"not pasted: {exc}", error=True)
                return
            self.commit(new, f"pasted {text!r} into {'.'.join(map(str, path))}")

    @on(RiskTable.Toggle)
    def _risk_toggle(self, event: RiskTable.Toggle) -> None:
        state = self.doc.scenario.risk_state(event.risk_id)
        new = edit.set_risk(self.doc.scenario, event.risk_id, mitigated=not (state and state.mitigated))
        self.commit(
            new, f"risk {event.risk_id}: {'mitigated' if not (state and state.mitigated) else 'open'}"
        )

    @on(RiskTable.EditNote)
    def _risk_note(self, event: RiskTable.EditNote) -> None:
        self.open_editor(("risk-note", event.risk_id), event.note, label=f"note for {event.risk_id}")

    # --- rows ----------------------------------------------------------------------------------
    def _row_grid(self) -> RowGrid | None:
        w = self.app.focused
        return w if isinstance(w, RowGrid) else None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("add_row", "delete_row", "duplicate_row", "rename_row"):
            return self._row_grid() is not None
        return True

    def action_add_row(self) -> None:
        grid = self._row_grid()
        if grid is None:
            return
        try:
            new, at = edit.add_row(self.doc.scenario, grid.table, grid.current_index())
        except edit.EditError as exc:
            self.status(str(exc), error=True)
            return
        self.commit(new, f"added a row to [[{grid.table}]]")
        grid.move_cursor(row=at, column=0)

    def action_delete_row(self) -> None:
        grid = self._row_grid()
        if grid is None or grid.current_index() is None:
            return
        try:
            new = edit.delete_row(self.doc.scenario, grid.table, grid.current_index())
        except edit.EditError as exc:
            self.status(str(exc), error=True)
            return
        self.commit(new, f"deleted a row of [[{grid.table}]] (u undoes)")

    def action_duplicate_row(self) -> None:
        grid = self._row_grid()
        if grid is None or grid.current_index() is None:
            return
        try:
            new, at = edit.duplicate_row(self.doc.scenario, grid.table, grid.current_index())
        except edit.EditError as exc:
            self.status(str(exc), error=True)
            return
        self.commit(new, f"duplicated a row of [[{grid.table}]]")
        grid.move_cursor(row=at)

    def action_rename_row(self) -> None:
        grid = self._row_grid()
        if grid is None or grid.current_index() is None:
            return
        grid.move_cursor(column=0)
        path = (grid.table, grid.current_index(), "name")
        self.open_editor(path, edit.display(edit.get_value(self.doc.scenario, path)), grid=grid)

    # --- history -------------------------------------------------------------------------------
    def undo(self) -> None:
        if self.doc.undo():
            self.refresh_all()
            self.status(f"undone ({self.doc.pos} edit(s) left to undo)")
        else:
            self.status("nothing to undo: this is the scenario as opened")

    def redo(self) -> None:
        if self.doc.redo():
            self.refresh_all()
            self.status("redone")
        else:
            self.status("nothing to redo")
