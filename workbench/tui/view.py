"""One scenario tab: input grids on one side, result panes on the other, an edit bar and a status line.

Data flows one way: a grid posts what the user asked for (or, to open the cell editor, calls the editor
this view hands it), `workbench.edits` makes a new Scenario, `commit` records it in the Document, and
`refresh_all` re-renders every pane from the new Analysis in the same handler. The panes come from
`workbench.tui.panes.registry`; dialogs answer through their dismiss callback; panes say things on the
status line with a `Say` message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TabbedContent, TabPane

from workbench.edits import edit
from workbench.model import columns, fmt
from workbench.model.report import Analysis, headline
from workbench.model.scenario import Scenario
from workbench.session.document import Document
from workbench.store import paths
from workbench.tui.grids.grid import Grid, RowGrid, about_of, label_of
from workbench.tui.messages import Say
from workbench.tui.panes import registry
from workbench.tui.panes.tables import (
    RESULT_COLUMNS,
    BreakdownTable,
    ResultsTable,
    RiskTable,
    risk_detail,
)
from workbench.tui.textual_fixes import PlainHighlighter

if TYPE_CHECKING:
    from workbench.model import prices
    from workbench.model import sizing as sz
    from workbench.model.usage import UsageSummary

WIDE = 120  # columns from which the inputs and the outputs are side by side (app.HORIZONTAL_BREAKPOINTS)
HALVES: tuple[registry.Half, ...] = ("inputs", "outputs")

W = TypeVar("W", bound=Widget)
# A table as the cell names call it; the rest: the table's name, capitalised (Workload, Overheads).
TABLE_TITLES = {"api_models": "API models", "gpus": "GPUs", "options": "Options", "rag": "RAG"}


class EditBar(Vertical):
    """The formula bar: the cell being edited, its value and help, and above them why a value was refused."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True, id="editor.cancel")]

    class Cancelled(Message):
        pass

    def compose(self) -> ComposeResult:
        yield Static("", id="edit-error")
        with Horizontal(id="edit-row"):
            yield Label("", id="edit-label")
            yield Input(id="edit-input", select_on_focus=False, highlighter=PlainHighlighter())
            yield Static("", id="edit-hint")

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class ScenarioView(Vertical):
    """Everything about one open scenario: it owns the Document and acts on what its widgets ask."""

    BINDINGS = [
        Binding("a", "add_row", "Add row", tooltip="Add a row below the cursor", id="row.add"),
        Binding(
            "D",
            "delete_row",
            "Del row",
            tooltip="Delete the row under the cursor (undo brings it back)",
            id="row.delete",
        ),
        Binding(
            "C", "duplicate_row", "Dup row", tooltip="Duplicate the row under the cursor", id="row.duplicate"
        ),
        Binding("r", "rename_row", "Rename", tooltip="Rename the row under the cursor", id="row.rename"),
    ]

    class Changed(Message):
        """The scenario of this view changed (an edit, an undo, a save)."""

        def __init__(self, view: ScenarioView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, doc: Document, tab_id: str, shell: bool = False, **kwargs: Any) -> None:
        """`shell`: compose nothing until `ensure_body` (a tab behind the one in front: the first frame
        waits for no widget it does not show)."""
        super().__init__(**kwargs)
        self.doc = doc
        self._body = not shell  # the halves, edit bar and status line are composed (or being mounted)
        self.ready = False  # the body is mounted and shows the scenario
        self._built: set[str] = set()  # the panes whose widgets exist (each half's front one at first)
        self._building = asyncio.Lock()  # one build at a time: a key and the background build may race
        self.tab_id = tab_id  # the id of the app's TabPane that holds this view
        self.focus_option = 0
        self.editing_path: tuple | None = None  # the cell being edited, or ("risk-note", id)
        self._edit_grid: Grid | None = None
        self._half: registry.Half = "inputs"
        self._keep_status = False
        self._interrupted = ""  # why an edit was cancelled while the window was too small to say so
        self._halves_activated: set[str] = set()
        self._cache: dict[object, Any] = {}
        self._shown: Analysis | None = None  # the analysis the panes show
        self._before: Analysis | None = (
            None  # the one they showed before the last change (the summary's "since")
        )
        self.last_focus: Widget | None = None  # the widget focused when the tab was left (app._switch_tab)

    def compose(self) -> ComposeResult:
        if not self._body:
            return
        with Horizontal(id="halves"):
            for half in HALVES:
                panes = registry.in_half(half)
                with Vertical(id=f"{half}-side", classes="half"):
                    if half == "inputs":
                        # The figures the edits move, in one line above the grids: at 80 columns only this
                        # half shows while editing, and an edit must show its effect where it is typed.
                        yield Static("", id="summary")
                    with TabbedContent(id=half, initial=panes[0].id):
                        for pane in panes:
                            with TabPane(pane.title, id=pane.id):
                                # Only each half's front pane is built with the tab; the others are
                                # built after the first frame (build_rest) or when first shown
                                # (ensure_pane), whichever comes first.
                                if pane is panes[0]:
                                    self._built.add(pane.id)
                                    yield from pane.build()
        yield EditBar(id="edit-bar")
        yield Static("", id="status")

    def on_mount(self) -> None:
        if self._body:
            self._start()

    def _start(self) -> None:
        for grid in self._grids():
            grid.editor = self  # attributes down: the grids open and feed this view's editor
        self._one(EditBar).display = False
        self.refresh_all()
        self.set_half("inputs")
        self.ready = True

    # --- building what the first frame does not show ------------------------------------------------
    @property
    def unbuilt(self) -> list[str]:
        """The panes not built yet, in F-key order (all of them while the tab is a shell)."""
        return [p.id for p in registry.PANES if p.id not in self._built]

    async def ensure_body(self) -> None:
        """Mount the tab's halves (each with its front pane), edit bar and status line, once."""
        async with self._building:
            if self._body or not self.is_attached:
                return
            self._body = True
            await self.recompose()
            if self.is_attached:
                self._start()

    async def ensure_pane(self, pane: str) -> None:
        """Build a pane (and the tab's body first), once, and show it the scenario: every key and
        command that brings a pane to the front awaits this first."""
        await self.ensure_body()
        async with self._building:
            if pane in self._built or not self.is_attached:
                return
            spec = registry.BY_ID[pane]
            try:
                tab_pane = self.query_one(f"#{pane}", TabPane)
            except NoMatches:  # the tab is being closed
                return
            await tab_pane.mount(*spec.build())
            self._built.add(pane)
            if spec.half == "inputs":
                self._cache.pop("grids", None)
                for grid in tab_pane.query(Grid):
                    grid.editor = self
                    grid.follow(self.doc.scenario)
            elif self._shown is not None and tab_pane.is_attached:
                try:
                    registry.feed(self._one, self._shown, self.focus_option, (pane,))
                except NoMatches:  # the tab was rebuilt meanwhile: refresh_all feeds what it has
                    pass

    async def build_rest(self) -> None:
        """Build every pane not built yet, one at a time (keys are handled between them)."""
        await self.ensure_body()
        for pane in self.unbuilt:
            await self.ensure_pane(pane)

    # --- the widgets of the tab, remembered -----------------------------------------------------------
    def _one(self, cls: type[W], selector: str | None = None) -> W:
        """`query_one`, remembered while the widget stays mounted: a query walks the whole tab's DOM, a
        few milliseconds each, and refresh_all runs on every edit."""
        key = selector or cls
        hit = self._cache.get(key)
        if not isinstance(hit, cls) or not hit.is_attached:
            hit = self._cache[key] = self.query_one(selector, cls) if selector else self.query_one(cls)
        return hit

    def _grids(self) -> list[Grid]:
        hit = self._cache.get("grids")
        if not isinstance(hit, list) or not all(w.is_attached for w in hit):
            hit = self._cache["grids"] = list(self.query(Grid))
        return hit

    # --- rendering ----------------------------------------------------------------------------
    def refresh_all(self) -> None:
        """Re-render every grid and pane from the current scenario; the only way panes change."""
        s = self.doc.scenario
        a = self.doc.analysis()
        for grid in self._grids():
            grid.follow(s)
        n = len(a.results.options)
        self.focus_option = max(0, min(self.focus_option, n - 1)) if n else 0
        registry.feed(self._one, a, self.focus_option, self._built)
        if a is not self._shown:
            self._before, self._shown = self._shown, a
        self.show_summary()
        self.post_message(self.Changed(self))

    def summary_text(self, compact: bool = False, two_lines: bool = False) -> Text:
        """The summary line: the recommendation, the focused option's TCO and how the last edit moved it,
        and its breakeven month; every figure as the model computed it (fmt only words it). `compact`:
        the shorter wording an 80-column line holds; `two_lines`: the option's part on a line of its own."""
        a = self._shown or self.doc.analysis()
        cur = a.scenario.currency
        t = Text()
        rec = a.ladder.recommendation
        t.append("★ " if rec.meets_requirements else "☆ ", style="bold")
        t.append(rec.option or "no option qualifies", style="bold")
        opts = a.results.options
        if not opts:
            return t
        o = opts[min(self.focus_option, len(opts) - 1)]
        t.append("\n" if two_lines else " │ ")
        t.append(f"{o.name}{'' if compact else ':'} TCO ")
        t.append(fmt.money(o.tco, cur), style="bold")
        before = self._before.results.options if self._before is not None else []
        old = next((p for p in before if p.name == o.name), None)
        if old is not None:
            delta = o.tco - old.tco
            if fmt.money(abs(delta), cur) == fmt.money(0.0, cur):
                t.append(" (unchanged)" if compact else " (unchanged by the last edit)", style="dim")
            else:
                sign = "+" if delta > 0 else "-"
                t.append(
                    f" ({sign}{fmt.money(abs(delta), cur)}{'' if compact else ' since last edit'})",
                    style="bold",
                )
        if o.is_baseline:
            t.append(" · baseline" if compact else " · the baseline")
        elif o.breakeven_month is None:
            t.append(" · never pays back" if compact else " · does not pay back")
        else:
            t.append(f" · breaks even {fmt.months(o.breakeven_month)}")
        return t

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show_summary()  # its wording depends on the room

    def show_summary(self) -> None:
        """One line where the words fit (the compact wording first), two where they do not: the height
        changes (a layout pass) only when that choice does, so an edit's update needs none."""
        st = self._one(Static, "#summary")
        room = (self.size.width or self.app.size.width) - 2
        if self.size.width and self._one(Vertical, "#inputs-side").size.width:
            room = self._one(Vertical, "#inputs-side").size.width - 2
        text = self.summary_text()
        lines = 1
        if text.cell_len > room:
            text = self.summary_text(compact=True)
        if text.cell_len > room:
            text, lines = self.summary_text(compact=True, two_lines=True), 2
        st.update(text, layout=False)
        if st.styles.height is None or st.styles.height.value != lines:
            st.styles.height = lines

    def status(self, text: str, error: bool = False, keep: bool = False) -> None:
        """Show `text` on the status line; `keep`: also when a grid takes the focus next (which would
        show the cell's help instead)."""
        if keep:
            self._keep_status = True
        st = self._one(Static, "#status")
        # plain text: option names and keys like "[" are not markup; one line, so no layout pass, except
        # for an error too long for it (a cross-check names the option and the key, and says what is
        # expected: 130 characters and more), which gets up to three lines until the next message
        lines = min(3, -(-len(text) // max(1, self.size.width - 2))) if error else 1
        st.update(Text(fmt.shown(text)), layout=False)  # a control character as its placeholder
        st.set_class(error, "error")
        if st.styles.height is None or st.styles.height.value != max(1, lines):
            st.styles.height = max(1, lines)

    @on(Say)
    def _say(self, event: Say) -> None:
        event.stop()
        self.status(event.text, error=event.error)

    # --- halves and panes ------------------------------------------------------------------------
    def set_half(self, half: registry.Half) -> None:
        self._half = half
        self.apply_half()

    def apply_half(self, width: int | None = None) -> None:
        """Below WIDE columns one half (inputs or outputs) is shown at a time, from WIDE both.

        Set as each half's own `display`, not as a CSS class on the tab: a class change re-applies the
        style sheet to every widget of the tab (about 30 ms), and the focus moves between the halves
        on every edit (the grid, then the results), even where both are on screen."""
        narrow = (self.app.size.width if width is None else width) < WIDE
        for half in HALVES:
            try:
                widget = self._one(Vertical, f"#{half}-side")
            except NoMatches:  # a tab still being composed: its on_mount sets its half
                return
            shown = not narrow or self._half == half
            if widget.display != shown:
                widget.display = shown

    def restore_focus(self) -> None:
        """Back on this tab: the focus (and with it the half and the pane) it had when it was left, else
        the front pane of the half it showed."""
        w, self.last_focus = self.last_focus, None
        self.apply_half()
        if w is None or not w.is_attached or self not in w.ancestors or not w.can_focus:
            active = self._one(TabbedContent, f"#{self._half}").active
            pane = self.query_one(f"#{active}", TabPane) if active else None
            w = next((x for x in pane.query("*") if x.can_focus and not x.disabled), None) if pane else None
        if w is not None:
            w.focus()  # deferred, as a focus at start is: a pane key typed meanwhile wins

    def other_half(self) -> None:
        """`o`: switch between the input grids and the result panes."""
        target: registry.Half = "outputs" if self._half == "inputs" else "inputs"
        self.set_half(target)
        active = self._one(TabbedContent, f"#{target}").active
        if active:
            self._focus_pane(active)

    def action_pane(self, pane: str) -> Awaitable[None] | None:
        """Bring a pane of the registry to the front and focus it (F1-F11 and their letters). A pane not
        built yet is built first: then this returns the awaitable that builds and shows it, which
        Textual awaits for a key, a palette command or a call_later (the keys typed next wait for it)."""
        if pane in self._built:
            self._show_pane(pane)
            return None
        return self.show_pane(pane)

    async def show_pane(self, pane: str) -> None:
        await self.ensure_pane(pane)
        if self.is_attached:
            self._show_pane(pane)

    def _show_pane(self, pane: str) -> None:
        half = registry.BY_ID[pane].half
        self.set_half(half)
        self._one(TabbedContent, f"#{half}").active = pane
        self._focus_pane(pane)

    def _focus_pane(self, pane: str) -> None:
        """Focus the pane's first widget now (not after a refresh): keys typed right after the pane
        key must land there, and a focused widget left in a hidden pane would steal them."""
        try:
            pane_widget = self.query_one(f"#{pane}", TabPane)
        except NoMatches:
            return
        for w in pane_widget.query("*"):
            if w.can_focus and not w.disabled:
                self.screen.set_focus(w)
                return

    @on(TabbedContent.TabActivated)
    async def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        half = next((h for h in HALVES if h == event.tabbed_content.id), None)
        if half is not None and event.pane.id and event.pane.id not in self._built:
            await self.ensure_pane(event.pane.id)  # a click on the pane's tab: built now
        if half is not None:
            if half not in self._halves_activated:  # each half's initial tab, posted while mounting
                self._halves_activated.add(half)  # (following it flipped the tab's CSS class twice at
                return  # start-up, ~0.1 s each)
            self.set_half(half)
        if half == "outputs":
            self.status(self.pane_status(event.pane.id))

    def pane_status(self, pane: str | None) -> str:
        """What the status line says on a result pane."""
        a = self.doc.analysis()
        rec = a.ladder.recommendation
        if pane == "results":
            return self._one(ResultsTable).full_precision()
        if pane == "ladder":
            return f"{'★' if rec.meets_requirements else '☆'} {headline(a)}: verdicts ✔ go – not needed … not yet ✖ blocked"
        if pane == "risks":
            flagged = [x for x in a.risks if x.flagged]
            open_ = [x for x in flagged if not x.mitigated]
            return f"{len(flagged)} risks flagged, {len(open_)} open · space ticks mitigated · Enter writes a note"
        spec = registry.BY_ID.get(pane or "")
        return spec.hint if spec is not None else ""

    @on(RiskTable.Focused)
    def _risk_focused(self, event: RiskTable.Focused) -> None:
        self._one(Static, "#risk-detail").update(risk_detail(event.risk))

    # --- naming cells ------------------------------------------------------------------------------
    def cell_name(self, path: tuple) -> str:
        """A cell as the status line, the edit bar and the message of a committed edit all name it:
        table › row name › column (API models › GPT-4o mini › input), a field as table › field."""
        s = self.doc.scenario
        if path[0] == "risk-note":
            return f"note for {path[1]}"
        if path[0] == "uncertainty" and len(path) == 3:
            try:
                what = columns.label(columns.parse(str(path[1])))
            except Exception:  # a key the scenario no longer reads
                what = str(path[1])
            return f"Uncertainty › {what} › {path[2]}"
        title = TABLE_TITLES.get(str(path[0]), label_of(str(path[0])).capitalize())
        if len(path) == 3 and isinstance(path[1], int):
            rows = getattr(s, str(path[0]), None)
            row = rows[path[1]] if isinstance(rows, list) and 0 <= path[1] < len(rows) else None
            who = getattr(row, "name", None) or f"row {path[1] + 1}"
            return f"{title} › {who} › {label_of(str(path[2]))}"
        if len(path) == 2:
            return f"{title} › {label_of(str(path[1]))}"
        return " › ".join(label_of(str(p)) for p in path)

    def help_of(self, path: tuple) -> str:
        """The status line on a cell: its name, then unit, bounds and description."""
        about = about_of(path, bounds_first=True)
        return f"{self.cell_name(path)}: {about}" if about else self.cell_name(path)

    # --- focus and status ----------------------------------------------------------------------
    @on(Grid.Focused)
    def _grid_focused(self, event: Grid.Focused) -> None:
        pane = next((w for w in event.grid.ancestors if isinstance(w, TabPane)), None)
        spec = registry.BY_ID.get(pane.id or "") if pane is not None else None
        if spec is not None and self._one(TabbedContent, f"#{spec.half}").active != spec.id:
            # A grid of a pane not in front, built after the first frame: its cursor's first
            # highlight is no news (it would take the status line and the focused option).
            return
        focused = self.screen.focused
        if (
            focused is event.grid
            or focused is None
            or self._one(Vertical, "#inputs-side") in focused.ancestors
        ):
            self.set_half("inputs")
        # else a late message: a pane key typed meanwhile took the focus (and the half) to a result pane
        if self._keep_status:
            self._keep_status = False  # the grid regained focus after an edit: keep its message
        elif event.path is None:
            self.status("")
        else:
            self.status(self.help_of(event.path))
        if event.path is None:
            return
        if event.grid.id == "grid-options" and isinstance(event.path[1], int):
            self._set_focus_option(event.path[1])

    @on(ResultsTable.OptionFocused)
    def _option_focused(self, event: ResultsTable.OptionFocused) -> None:
        self._set_focus_option(event.index)
        self.status(self._one(ResultsTable).full_precision())

    def _set_focus_option(self, index: int) -> None:
        if index != self.focus_option:
            self.focus_option = index
            a = self.doc.analysis()
            self._one(BreakdownTable).show(a, index)
            if "plots" in self._built:
                from workbench.tui.panes.plots import PlotsPane

                self._one(PlotsPane).show(a, index)
            self.show_summary()

    # --- the cell editor (textual_fixes.CellEditor: the grids call these) --------------------------------
    @property
    def editing(self) -> bool:
        return self.editing_path is not None

    def open_editor(self, path: tuple, text: str, grid: Grid | None = None, label: str | None = None) -> None:
        self.editing_path = path
        self._edit_grid = grid
        bar = self._one(EditBar)
        bar.display = True
        where = label or self.cell_name(path)
        self.query_one("#edit-label", Label).update(Content(f" {where} = "))
        # The bar covers the status line while it is open: it carries the cell's unit and bounds first
        # (beside the input an 80-column terminal has room for about 30 characters), then the keys.
        about = about_of(path, bounds_first=True) if path[0] != "risk-note" else ""
        hint = self.query_one("#edit-hint", Static)
        hint.update(Text((f"{about} · " if about else "") + "Enter commits · Esc cancels"))
        error = self.query_one("#edit-error", Static)
        error.update("")
        error.remove_class("error")
        inp = self.query_one("#edit-input", Input)
        inp.value = text
        self.screen.set_focus(inp)  # now, so the next keys typed land in the editor
        inp.cursor_position = len(text)
        if path[0] != "risk-note":
            self.status(self.help_of(path))
        else:  # a note opens at its start (the cursor at the end scrolled its first words away)
            inp.cursor_position = 0
            inp.scroll_to(x=0, animate=False, immediate=True)

    def close_editor(self) -> None:
        self.editing_path = None
        # Focus first, then hide the bar: hiding the focused Input first would move the focus to some
        # other widget and then to the grid, and each move rebuilds the footer (a layout pass each).
        target: Widget = self._edit_grid if self._edit_grid is not None else self._one(RiskTable)
        self._keep_status = self._edit_grid is not None
        self.screen.set_focus(target)
        self._one(EditBar).display = False

    @on(EditBar.Cancelled)
    def _cancelled(self) -> None:
        self.close_editor()
        self.status("edit cancelled; nothing changed")

    def interrupt_edit(self, why: str) -> Grid | None:
        """Cancel an open edit that something other than the user's keys interrupted (the window got too
        small to show it): the keys typed next must start a new edit, not be glued to the hidden one.
        Returns the grid the edit came from (where the focus belongs afterwards), or None."""
        if self.editing_path is None:
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

    def editor_key(self, event: events.Key) -> None:
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
        path = self.editing_path
        if path is None:
            return

        def refused(why: str) -> None:
            err = self.query_one("#edit-error", Static)
            err.update(Text(f"✖ {why}"))
            err.add_class("error")

        if path[0] == "risk-note":
            risk_id = path[1]

            def make(s: Scenario) -> Scenario:
                return edit.set_risk(s, risk_id, note=value)
        else:

            def make(s: Scenario) -> Scenario:
                return edit.apply_text(s, path, value)

        # Recompute and refresh the panes first, then give the focus back: the panes' repaints then
        # reach the screen no later than the grid's, and the next frame carries them all (the other
        # way round, the first frame showed only the grid and the results waited two frames more).
        name = self.cell_name(path)
        what: str | Callable[[Scenario], str] = f"{name} = {value.strip()}"
        if path[0] not in ("risk-note", "uncertainty") and edit.field_kind(path)[0] == "shares":
            what = lambda new: f"{name} = {edit.display(edit.get_value(new, path))}"  # noqa: E731
        if self.commit_edit(make, what, refused="not changed: ", on_refused=refused) is not None:
            self.close_editor()

    # --- committing edits --------------------------------------------------------------------------
    def commit(self, new: Scenario, what: str) -> None:
        """Record a new scenario (undo steps back from it) and re-render; say what changed."""
        if self.doc.push(new):
            self.refresh_all()
            self.status(f"✔ {what}")
        else:
            self.status(f"{what}: unchanged")

    def commit_edit(
        self,
        make: Callable[[Scenario], Scenario],
        what: str | Callable[[Scenario], str],
        refused: str = "",
        on_refused: Callable[[str], None] | None = None,
    ) -> Scenario | None:
        """Make a new scenario from the current one and commit it. An edit the scenario refuses changes
        nothing: the status line says `refused` and why (as does `on_refused`); returns None then."""
        try:
            new = make(self.doc.scenario)
        except edit.EditError as exc:
            self.status(f"{refused}{exc}", error=True)
            if on_refused is not None:
                on_refused(str(exc))
            return None
        said = what if isinstance(what, str) else what(new)
        if new.schema_version > self.doc.scenario.schema_version:  # short: the line must fit 80 columns
            said += (
                f" · now schema v{new.schema_version}"  # the cell names a version-2 key: the file is one now
            )
        self.commit(new, said)
        return new

    @on(Grid.CellAction)
    def _cell_action(self, event: Grid.CellAction) -> None:
        path = event.path
        name = self.cell_name(path)
        if event.action == "cycle":
            self.commit_edit(
                lambda s: edit.cycle(s, path),
                lambda new: f"{name} = {edit.display(edit.get_value(new, path))}",
            )
        elif event.action == "copy":
            try:  # the row may be gone: an undo can land between the key and this message
                text = edit.display(edit.current_value(self.doc.scenario, path))
            except edit.EditError as exc:
                self.status(str(exc), error=True)
                return
            try:
                self.app.copy_to_clipboard(text)  # App.clipboard holds it for `p`, whatever the terminal
            except Exception:
                pass  # the terminal refused the escape sequence: the app's own clipboard has it
            self.status(f"copied {text!r}")
        elif event.action == "paste":
            text = self.app.clipboard
            if not text:
                self.status("nothing copied yet (y copies a cell)", error=True)
                return
            self.commit_edit(
                lambda s: edit.apply_text(s, path, text),
                f"pasted {text!r} into {name}",
                refused="not pasted: ",
            )

    @on(RiskTable.Toggle)
    def _risk_toggle(self, event: RiskTable.Toggle) -> None:
        state = self.doc.scenario.risk_state(event.risk_id)
        mitigated = not (state and state.mitigated)
        self.commit_edit(
            lambda s: edit.set_risk(s, event.risk_id, mitigated=mitigated),
            f"risk {event.risk_id}: {'mitigated' if mitigated else 'open'}",
        )

    @on(RiskTable.EditNote)
    def _risk_note(self, event: RiskTable.EditNote) -> None:
        self.open_editor(("risk-note", event.risk_id), event.note, label=f"note for {event.risk_id}")

    # --- rows ----------------------------------------------------------------------------------
    def _row_grid(self, table: str | None = None) -> RowGrid | None:
        """The focused row grid (of `table`, if given), or None."""
        w = self.app.focused
        return w if isinstance(w, RowGrid) and table in (None, w.table) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_row", "delete_row", "duplicate_row", "rename_row"):
            return self._row_grid() is not None
        return True

    def action_add_row(self) -> None:
        grid = self._row_grid()
        if grid is None:
            return
        table, index = grid.table, grid.current_index()
        at = [0]

        def make(s: Scenario) -> Scenario:
            new, at[0] = edit.add_row(s, table, index)
            return new

        if self.commit_edit(make, f"added a row to [[{table}]]") is not None:
            grid.move_cursor(row=at[0], column=0)

    def action_delete_row(self) -> None:
        grid = self._row_grid()
        index = grid.current_index() if grid is not None else None
        if grid is None or index is None:
            return
        table = grid.table
        self.commit_edit(
            lambda s: edit.delete_row(s, table, index), f"deleted a row of [[{table}]] (u undoes)"
        )

    def action_duplicate_row(self) -> None:
        grid = self._row_grid()
        index = grid.current_index() if grid is not None else None
        if grid is None or index is None:
            return
        table = grid.table
        at = [index]

        def make(s: Scenario) -> Scenario:
            new, at[0] = edit.duplicate_row(s, table, index)
            return new

        if self.commit_edit(make, f"duplicated a row of [[{table}]]") is not None:
            grid.move_cursor(row=at[0])

    def action_rename_row(self) -> None:
        grid = self._row_grid()
        index = grid.current_index() if grid is not None else None
        if grid is None or index is None:
            return
        grid.move_cursor(column=0)
        path = (grid.table, index, "name")
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

    # --- explain (`x`) ---------------------------------------------------------------------------------
    def explain_target(self) -> tuple[int, str, int | None] | None:
        """(option index, metric, month) of the figure under the cursor, or None."""
        w = self.app.focused
        from workbench.model.explain import TABLE_METRICS

        if isinstance(w, ResultsTable):
            cell = w.focused_cell()
            if cell is None and w.tall and w.row_count:
                # On a row's label (where F5 puts the cursor at 80 columns): the focused option's figure.
                cell = self.focus_option, RESULT_COLUMNS[w.cursor_coordinate.row + 1][0]
            if cell is None:
                return None
            return cell[0], TABLE_METRICS.get(cell[1], "tco"), None
        if isinstance(w, BreakdownTable) and w.row_count:
            c = w.cursor_coordinate
            key = w.ordered_columns[c.column].key.value if c.column < len(w.ordered_columns) else "total"
            metric = "total" if key in (None, "m") else str(key)
            return self.focus_option, metric, c.row + 1
        return None

    def explain(self) -> None:
        target = self.explain_target()
        if target is None:
            self.status("x explains a figure: put the cursor on a Results or monthly-breakdown cell (F5)")
            return
        from workbench.model.explain import ExplainError, explain
        from workbench.tui.screens.explain import ExplainScreen

        index, metric, month = target
        a = self.doc.analysis()
        try:
            e = explain(a.results, index + 1, metric, month)
        except ExplainError as exc:
            self.status(f"cannot explain: {exc}", error=True)
            return
        self.app.push_screen(ExplainScreen(e))

    # --- the price catalog (`P`) -----------------------------------------------------------------------
    def price_catalog(self) -> None:
        from workbench.tui.screens import ask
        from workbench.tui.screens.prices import PricePicker

        s = self.doc.scenario
        grid = self._row_grid("api_models")
        target = grid.current_index() if grid is not None else None
        name = s.api_models[target].name if target is not None and target < len(s.api_models) else None

        def chosen(result: tuple[prices.Entry, bool] | None) -> None:
            if not result:
                self.status("price catalog: nothing changed")
                return
            entry, replace = result
            self.apply_catalog_entry(entry, target if replace else None)

        ask(self, PricePicker(name), chosen)

    def apply_catalog_entry(self, entry: prices.Entry, index: int | None = None) -> None:
        from workbench.edits import data as data_edits
        from workbench.model import prices

        row = prices.row_for(entry)
        done: list[tuple[int, str]] = []

        def make(s: Scenario) -> Scenario:
            new, at, verb = data_edits.set_api_model(s, row, index)
            done.append((at, verb))
            return new

        def said(new: Scenario) -> str:
            at, verb = done[0]
            r = new.api_models[at]
            cached = "" if r.cached_input is None else f" / {prices.price_text(r.cached_input)} cached"
            return (
                f"{verb} {r.name!r}: {prices.price_text(r.input)} in / {prices.price_text(r.output)} out"
                f"{cached} per 1M · {r.source} · u undoes"
            )

        new = self.commit_edit(make, said, refused="price not applied: ")
        if new is None:
            return
        at, message = done[0][0], said(new)
        self.action_pane("pricing")  # (always built: the inputs' front pane)

        def land() -> None:
            grid = self._one(RowGrid, "#grid-api_models")
            grid.focus()
            grid.move_cursor(row=at, column=0)
            self.call_after_refresh(self.status, "✔ " + message)

        self.call_after_refresh(land)

    # --- GPU sizing (`S`) ------------------------------------------------------------------------------
    def size_gpu(self) -> None:
        from workbench.edits import data as data_edits
        from workbench.model import sizing as sz
        from workbench.tui.screens import ask
        from workbench.tui.screens.sizing import SizingDialog

        s = self.doc.scenario
        grid = self._row_grid("options")
        i = grid.current_index() if grid is not None else (self.focus_option if s.options else None)
        if i is None or not 0 <= i < len(s.options):
            self.status("GPU sizing: add a self-hosted option first (F4, a)", error=True)
            return
        o = s.options[i]
        if not o.is_self_hosted:
            self.status(
                f"GPU sizing fills self-hosted options; {o.name!r} is served by an API "
                "(F4, move to a self-hosted row, then S)",
                error=True,
            )
            return
        try:
            gpu = sz.gpu_named(o.gpu).name
        except sz.SizingError:
            gpu = "H100 SXM"
        results = self.doc.analysis().results  # the engine's tokens per request, month 1
        tin, tout = results.series(i, "tin")[0], results.series(i, "tout")[0]
        start = sz.Sizing.from_source(o.throughput_source)  # sized before: start from what was asked

        def chosen(result: tuple[sz.Sizing, sz.Estimate] | None) -> None:
            if result is None:
                self.status("GPU sizing: nothing changed")
                return
            sizing, e = result
            self.commit_edit(
                lambda s: data_edits.set_throughput(
                    s, i, e.tokens_per_second_per_gpu, e.latency_ms, sizing.source_text()
                ),
                f"{e.tokens_per_second_per_gpu:,.0f} tok/s per GPU, estimated; latency "
                f"{e.latency_ms / 1000:,.1f} s at batch {e.batch:,} · u undoes",
                refused="not filled: ",
            )

        ask(self, SizingDialog(o.name, gpu, tin, tout, start=start), chosen)

    # --- usage-log import (`I`) ------------------------------------------------------------------------
    def import_usage(self) -> None:
        """Read usage logs in a dialog and fill [workload] with what they show, as one undoable edit."""
        from workbench.edits import data as data_edits
        from workbench.tui.screens import ask
        from workbench.tui.screens.usage import WORKLOAD_SHORT, UsageDialog

        start = getattr(self.app, "start_files", ())

        def refuse(path: Path) -> str | None:
            return paths.confine(path, start)

        def chosen(summary: UsageSummary | None) -> None:
            if summary is None:
                self.status("usage import: nothing changed")
                return
            figures, source = summary.workload(), summary.source_text()
            before = self.doc.scenario.workload

            def said(new: Scenario) -> str:
                moved = [
                    f"{WORKLOAD_SHORT.get(k, k)} {_short(getattr(before, k))}→{_short(getattr(new.workload, k))}"
                    for k in figures
                    if getattr(before, k) != getattr(new.workload, k)
                ]
                return "imported (u undoes): " + (", ".join(moved) or "the same figures")

            new = self.commit_edit(
                lambda s: data_edits.set_workload(s, figures, source), said, refused="not imported: "
            )
            if new is not None:
                pending = self.action_pane("workload")
                if pending is not None:  # built first, then shown
                    self.run_worker(pending)
                message = said(new)
                self.call_after_refresh(self.status, "✔ " + message, False, True)

        ask(self, UsageDialog(Path.cwd(), self.doc.scenario, refuse=refuse), chosen)


def _short(value: float) -> str:
    """A workload figure for the status line: 20k, 1,412, 0.6."""
    if abs(value) >= 10_000:
        return f"{value / 1000:,.3g}k" if abs(value) < 1e6 else f"{value / 1e6:,.3g}M"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
