"""The workbench TUI: one tab per scenario, plus a Compare tab over all of them."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane
from textual.worker import WorkerFailed

from workbench.model.fmt import control_name, first_control, shown
from workbench.model.scenario import Scenario
from workbench.session import crash, recovery
from workbench.session.document import CHANGED, DELETED, UNCHANGED, Document
from workbench.store import config, files, paths
from workbench.tui.grids.grid import Grid
from workbench.tui.panes import registry
from workbench.tui.textual_fixes import FixedApp, KeyFooter
from workbench.tui.view import WIDE, EditBar, ScenarioView

if TYPE_CHECKING:
    from workbench.tui.panes.compare import CompareView
    from workbench.tui.panes.split import SplitView

# What the first frame does not show is imported when first used: the dialogs (workbench.tui.screens),
# the Compare and Split tabs, the exports, and the result panes behind the front one (panes.registry).

MIN_WIDTH, MIN_HEIGHT = 60, 16


class WorkbenchApp(FixedApp):
    """Owns the open documents (one tab each), the files they are saved to, and the keys that act on
    whichever tab is in front."""

    CSS_PATH = "app.tcss"
    TITLE = "workbench"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]
    AUTO_FOCUS = None  # _focus_active puts the focus in the visible tab's first grid

    BINDINGS = [
        Binding(
            "ctrl+s", "save", "Save", tooltip="Save the tab (a preset saves under saves/)", id="app.save"
        ),
        Binding(
            "ctrl+a",
            "save_as",
            "Save as",
            show=False,
            tooltip="Save the tab under a new path",
            id="app.save_as",
        ),
        Binding("u,ctrl+z", "undo", "Undo", tooltip="Undo the last edit of this tab", id="app.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, tooltip="Redo", id="app.redo"),
        Binding("ctrl+t", "new_tab", "New", tooltip="New tab from a preset", id="app.new_tab"),
        Binding(
            "ctrl+o",
            "open_file",
            "Open",
            show=False,
            tooltip="Open a scenario file in a new tab",
            id="app.open_file",
        ),
        Binding(
            "ctrl+d",
            "duplicate_tab",
            "Dup tab",
            show=False,
            tooltip="Duplicate this tab",
            id="app.duplicate_tab",
        ),
        Binding(
            "ctrl+r", "rename_tab", "Rename tab", show=False, tooltip="Rename this tab", id="app.rename_tab"
        ),
        Binding("ctrl+w", "close_tab", "Close", show=False, tooltip="Close this tab", id="app.close_tab"),
        Binding(
            "greater_than_sign",
            "next_tab",
            "Next tab",
            show=False,
            tooltip="Next scenario tab",
            id="app.next_tab",
        ),
        Binding(
            "less_than_sign",
            "prev_tab",
            "Prev tab",
            show=False,
            tooltip="Previous scenario tab",
            id="app.prev_tab",
        ),
        Binding("m", "compare", "Compare", show=False, tooltip="Show the Compare tab", id="app.compare"),
        Binding(
            "backslash",
            "split",
            "Split view",
            tooltip="Two scenarios side by side (this tab and the next); on the split, \\ changes the "
            "right/lower one",
            id="app.split",
        ),
        Binding(
            "vertical_line",
            "split_left",
            "Split: left",
            show=False,
            tooltip="On the split: change the left/upper scenario",
            id="app.split_left",
        ),
        Binding(
            "o",
            "other_half",
            "Inputs/Results",
            tooltip="Switch between the input grids and the result panes",
            id="view.other_half",
        ),
        *registry.bindings(),
        Binding(
            "x",
            "explain",
            "Explain",
            show=False,
            tooltip="Explain the figure under the cursor: its formula with this scenario's numbers",
            id="view.explain",
        ),
        Binding(
            "P",
            "price_catalog",
            "Prices",
            show=False,
            tooltip="Price catalog: add or update an API model from genai-prices (offline)",
            id="view.price_catalog",
        ),
        Binding(
            "S",
            "size_gpu",
            "Sizing",
            show=False,
            tooltip="GPU sizing: estimate the option's tokens/s per GPU and fill it",
            id="view.size_gpu",
        ),
        Binding(
            "I",
            "import_usage",
            "Import usage",
            show=False,
            tooltip="Import a usage log (OpenAI, LiteLLM, OpenTelemetry, CSV) into the workload",
            id="view.import_usage",
        ),
        Binding(
            "E",
            "export",
            "Export",
            show=False,
            tooltip="Export the tab into saves/: Markdown summary, CSV monthly table, SVG screenshot",
            id="app.export",
        ),
        Binding("question_mark", "help", "Help", tooltip="Every key", id="app.help"),
        Binding(
            "q,ctrl+q",
            "quit_app",
            "Quit",
            priority=False,
            tooltip="Quit (asks about unsaved tabs)",
            id="app.quit",
        ),
    ]

    def __init__(self, docs: list[Document]) -> None:
        super().__init__()
        self.docs = docs
        # The user config (checked by run() before the app starts): theme and key overrides by binding id.
        settings = config.current(paths.config_file())
        if settings.theme and not os.environ.get("TEXTUAL_THEME"):  # Textual's variable wins, as env does
            self.theme = settings.theme
        self.set_keymap(settings.keys)
        self._counter = 0
        self._recovery_timers: dict[int, Timer] = {}  # id(doc) -> the Timer that writes its copy
        self._small = False  # the terminal is under MIN_WIDTH x MIN_HEIGHT (the too-small notice shows)
        self._focus_before_small: Widget | None = None
        # The files the app was started on (the command line; in a served session, the server's owner
        # chose them): a served session may use these besides the saves and presets folders.
        self.start_files: tuple[Path, ...] = tuple(d.path for d in docs if d.path is not None)
        self._split: list[str] = []  # the tab ids the split view shows: left (upper), right (lower)
        self.crash: crash.Report | None = None  # what an unhandled error left (_handle_exception)
        self._crash_said = False  # its line is on the terminal
        self._asking = False  # a close or quit is asking about unsaved tabs (_ask_once)

    # --- an unhandled error (workbench.session.crash) ------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        """Textual's single way in for every unhandled exception (in a handler, a worker, a timer, compose
        or mount, a paint) before it ends the app: the tabs' unsaved edits go to recovery copies and the
        traceback to a log file, now, before anything else can fail. Textual's own handling follows: the
        return code 1, the exit, and the exception kept for a test's pilot to raise.

        Private, but the only hook every such error passes (Textual 8): the public `panic` is reached only
        for errors that render themselves (`__rich__`) and `_fatal_error` only for the others, and both
        run after `return_code` is set. What the terminal gets is decided in `_print_error_renderables`."""
        if self.crash is None:
            try:
                cause = error.error if isinstance(error, WorkerFailed) else error  # the worker's own
                self.crash = crash.report(cause, self.open_docs(), self._crash_context(error))
            except Exception:  # the report failed: Textual prints the traceback as it always did
                pass
        super()._handle_exception(error)

    def _print_error_renderables(self) -> None:
        """Textual calls this once the screen is restored, to print what the exit left (after an
        unhandled error: its traceback). After a crash the terminal gets the report's one line instead;
        the traceback is in the log, or follows the line when the log could not be written."""
        if self.crash is not None and not self._crash_said:
            self._crash_said = True
            print(self.crash.line(), file=sys.stderr, flush=True)  # plain text: no markup, no emoji codes
        if self.crash is None or self.crash.log is None:
            super()._print_error_renderables()
        else:
            self._exit_renderables.clear()

    def open_docs(self) -> list[Document]:
        """The open tabs' documents (those the app started with, when its widgets cannot be asked)."""
        try:
            return [view.doc for view in self.views()]
        except Exception:
            return list(self.docs)

    def _crash_context(self, error: Exception) -> dict[str, str]:
        context = {"raised in": "a worker" if isinstance(error, WorkerFailed) else "the app"}
        try:
            context["screen"] = f"{type(self.screen).__name__}, {self.size.width}x{self.size.height}"
        except Exception:
            context["screen"] = "none"
        return context

    # --- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # The first frame shows the front tab's front panes: the tabs behind it are composed empty
        # (ScenarioView shells), as are Compare and Split, and built after that frame (_build_rest) or
        # when first shown (_show_tab), whichever comes first.
        with TabbedContent(id="tabs"):
            for i, doc in enumerate(self.docs):
                yield self._pane(doc, shell=i > 0)
            yield TabPane("Compare", id="compare")
            yield TabPane("Split", id="split")
        yield Static("", id="too-small")
        yield KeyFooter()  # rebuilt only when the keys it shows change

    def _pane(self, doc: Document, shell: bool = False) -> TabPane:
        self._counter += 1
        tab_id = f"s{self._counter}"
        pane = TabPane(Content(self._title(doc)), id=tab_id)
        pane.compose_add_child(ScenarioView(doc, tab_id, shell=shell, id=f"view-{tab_id}"))
        return pane

    # --- building what the first frame does not show -------------------------------------------------
    async def _ensure_shared(self, tab_id: str) -> None:
        """Mount the Compare or Split tab's view, once."""
        pane = self.query_one(f"#{tab_id}", TabPane)
        if pane.children:
            return
        if tab_id == "compare":
            from workbench.tui.panes.compare import CompareView

            await pane.mount(CompareView(id="compare-view"))
        else:
            from workbench.tui.panes.split import SplitView

            await pane.mount(SplitView(id="split-view"))

    def _split_view(self) -> SplitView:
        from workbench.tui.panes.split import SplitView

        return self.query_one("#split-view", SplitView)

    def _compare_view(self) -> CompareView:
        from workbench.tui.panes.compare import CompareView

        return self.query_one("#compare-view", CompareView)

    async def _ensure_tab(self, tab_id: str) -> None:
        """Whatever a tab shows, built: a key that brings a tab to the front awaits this first."""
        if tab_id in SHARED_TABS:
            await self._ensure_shared(tab_id)
            return
        view = next((v for v in self.views() if v.tab_id == tab_id), None)
        if view is not None:
            await view.ensure_body()

    def _build_later(self, views: list[ScenarioView] | None = None) -> None:
        """Build what is not built yet of `views` (None: of the whole app, as at start) after the next
        frame. In a terminal that runs in a worker beside the keys; headless (tests, snapshots) it runs
        in the app's queue, so the app a test drives is whole before its next key."""
        if self.is_headless:
            self.call_later(self._build_rest, views)
        else:
            self.call_after_refresh(self._build_in_background, views)

    @work(group="build", exit_on_error=False)
    async def _build_in_background(self, views: list[ScenarioView] | None) -> None:
        """(A tab closed while it was being built must not end the session: what the build did not
        reach is built when first shown.)"""
        await self._build_rest(views)

    async def _build_rest(self, views: list[ScenarioView] | None = None) -> None:
        """The front tab's other panes, then the other tabs (each one's front panes), Compare, the
        other tabs' other panes, and Split. Each step is one mount (a key waits for one step at most),
        and a key that shows something not built yet builds it at once (_ensure_tab, ensure_pane)."""
        everything = views is None
        views = self.views() if views is None else views
        active = self.active_view()
        if active in views:
            await active.build_rest()
        for view in views:
            await view.ensure_body()
        if everything:
            await self._ensure_shared("compare")
        for view in views:
            await view.build_rest()
        if everything:
            await self._ensure_shared("split")

    @staticmethod
    def _title(doc: Document) -> str:
        return shown(("● " if doc.dirty else "") + doc.title)  # a file name may hold control characters

    def on_mount(self) -> None:
        self.watch(self, "theme", self._remember_theme, init=False)
        self._say_key_clashes()
        self._check_size()
        self.call_after_refresh(self._focus_active)
        self.call_after_refresh(self._offer_recovery)
        self.set_timer(0.05, self._focus_active)
        self._build_later()  # the first frame is painted first

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size)  # self.size still holds the old size (textual_fixes.FixedApp)

    def _check_size(self, size: Size | None = None) -> None:
        w, h = size or self.size
        for view in self.views():
            view.apply_half(w)
        small = w < MIN_WIDTH or h < MIN_HEIGHT
        main = self.screen_stack[0]
        main.set_class(small, "too-small")  # the main screen, even under a dialog
        if small and not self._small:
            # Hiding the tabs takes the focus away: remember where it was (the grid of an edit that is
            # cancelled here), so the keys typed once the window is large again land there.
            before = main.focused
            for view in self.views():
                grid = view.interrupt_edit("the window got too small to show it")
                if grid is not None and before is not None and before.id == "edit-input":
                    before = grid
            self._focus_before_small = before
        elif not small and self._small:
            self.call_after_refresh(self._restore_focus)
        self._small = small
        if small:
            self.query_one("#too-small", Static).update(
                f"Terminal too small: {w}×{h}.\nThe workbench needs at least {MIN_WIDTH}×{MIN_HEIGHT}.\n"
                "Enlarge the window (q quits)."
            )

    def _restore_focus(self) -> None:
        w, self._focus_before_small = self._focus_before_small, None
        main = self.screen_stack[0]
        if w is not None and w.is_attached and main.focused is None:
            main.set_focus(w)
        for view in self.views():  # after the focus move, whose status line shows the cell's help
            self.call_after_refresh(view.show_interrupted)

    def _remember_theme(self, theme: str) -> None:
        """A theme chosen in the palette is written to the user config (its comments and layout kept),
        so the next start uses it. Never in a served session: the browser's user does not own the file."""
        if paths.served():
            return
        path = paths.config_file()
        try:
            new = config.with_theme(config.read_text(path), theme)
            path.parent.mkdir(parents=True, exist_ok=True)
            files.write_atomic(path, new)
        except (files.ScenarioError, config.ConfigError) as exc:  # their messages name the file
            self.message(f"theme {theme} not remembered: {exc}", error=True)
            return
        except OSError as exc:
            self.message(f"theme {theme} not remembered: {path}: {exc.strerror or exc}", error=True)
            return
        self.message(f"theme {theme} remembered in {paths.shown(path)}")

    def _say_key_clashes(self) -> None:
        """An override that takes a key from another binding of the same place (Textual does not say):
        the key now does the override's action only, which the user should hear about once."""
        keymap = self._keymap
        if not keymap:  # no overrides (the usual start): nothing can clash
            return
        groups = [self.BINDINGS, ScenarioView.BINDINGS, Grid.BINDINGS, EditBar.BINDINGS]
        groups += [w.BINDINGS for pane in registry.PANES for w in pane.keys_of]
        for group in groups:
            bindings = _bindings(group)
            taken = {k: b.id for b in bindings if b.id and b.id in keymap for k in keymap[b.id].split(",")}
            for b in bindings:
                lost = [k for k in b.key.split(",") if k in taken and b.id not in keymap]
                for k in lost:
                    self.notify(
                        f"[keys]: {KEY_NAMES.get(k, k)} now does {taken[k]}, no longer {b.id or b.action}",
                        severity="warning",
                        markup=False,
                    )

    # --- helpers -------------------------------------------------------------------------------
    def active_view(self) -> ScenarioView | None:
        tabs = self.query_one("#tabs", TabbedContent)
        pane = tabs.active_pane
        if pane is None or pane.id in SHARED_TABS:
            return None
        view = pane.query_one(ScenarioView)
        # A tab shown before it was built (a click on its label: _tab_changed builds it) has no widgets
        # for a key to act on yet; keys act once it has.
        return view if view.ready else None

    def _on_view(self, act: Callable[[ScenarioView], object]) -> None:
        """Act on the scenario tab in front; on the Compare tab the key does nothing."""
        view = self.active_view()
        if view is not None:
            act(view)

    def views(self) -> list[ScenarioView]:
        return list(self.query(ScenarioView))

    def _focus_active(self) -> None:
        view = self.active_view()
        focused = self.focused
        if view is not None and (focused is None or view not in focused.ancestors_with_self):
            view.restore_focus()  # the pane the tab showed when it was left, not its first grid

    def _retitle(self, view: ScenarioView) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        pane = view.parent
        if pane is not None and pane.id:
            tab = tabs.get_tab(pane.id)
            title = self._title(view.doc)
            if tab.label_text != title:  # relabelling re-lays out the tab strip and animates its underline
                tab.label = Content(title)  # a file or scenario name is text, not markup

    def message(self, text: str, error: bool = False) -> None:
        view = self.active_view()
        if view is not None:
            view.status(text, error=error)
        elif self._active_tab() == "split":
            self._split_view().status(text, error=error)
        else:
            self.notify(shown(text), severity="error" if error else "information", markup=False)

    @on(ScenarioView.Changed)
    def _changed(self, event: ScenarioView.Changed) -> None:
        self._retitle(event.view)
        self._keep_recovery_later(event.view.doc)
        if event.view.tab_id in self._split and self._active_tab() == "split":
            self._show_split()  # (otherwise shown when the Split tab comes to the front)

    def _active_tab(self) -> str:
        return self.query_one("#tabs", TabbedContent).active

    # --- the split view (workbench.tui.panes.split) -----------------------------------------------
    async def action_split(self) -> None:
        """`\\`: the split view of this tab and the next; on the split, the next scenario on the right."""
        ids = [v.tab_id for v in self.views()]
        if self._active_tab() == "split":
            self._cycle_split(1)
            return
        view = self.active_view()
        left = view.tab_id if view is not None else (self._split[0] if self._split else ids[0])
        if left not in ids:
            left = ids[0]
        right = ids[(ids.index(left) + 1) % len(ids)] if len(ids) > 1 else ""
        self._split = [left, right] if right else [left]
        await self._ensure_shared("split")
        split = self._split_view()
        if view is not None:  # both halves open on the pane this tab showed
            split.set_pane(view.query_one("#outputs", TabbedContent).active or split.pane)
        await self._switch_tab("split")

    def action_split_left(self) -> None:
        if self._active_tab() == "split":
            self._cycle_split(0)
        else:
            self.message("| changes the split's left scenario: open the split first (\\)")

    def _cycle_split(self, side: int) -> None:
        """The next open scenario (not the other half's) in one half of the split."""
        ids = [v.tab_id for v in self.views()]
        self._prune_split()
        if len(ids) < 2:
            self.message("open a second scenario to compare (ctrl+t)", error=True)
            return
        other = self._split[1 - side]
        now = self._split[side]
        n = ids.index(now)
        for step in range(1, len(ids) + 1):
            cand = ids[(n + step) % len(ids)]
            if cand != other:
                self._split[side] = cand
                break
        self._show_split()

    def _prune_split(self) -> None:
        """Keep the split's two tab ids to open tabs, two different ones where there are two."""
        ids = [v.tab_id for v in self.views()]
        chosen = [t for t in self._split if t in ids]
        for t in ids:
            if len(chosen) >= min(2, len(ids)):
                break
            if t not in chosen:
                chosen.append(t)
        self._split = chosen

    def _show_split(self) -> None:
        self._prune_split()
        by_id = {v.tab_id: v for v in self.views()}
        items = [(by_id[t].doc, by_id[t].doc.title) for t in self._split]
        split = self._split_view()
        split.show(items[0] if items else None, items[1] if len(items) > 1 else None)
        # the halves' titles name the scenarios; the line says the keys, in what 80 columns hold
        split.status("F5-F12 both halves · \\ right scenario · | left · Tab other half · read-only")

    # --- recovery copies (workbench.session.recovery) ---------------------------------------------------
    def _keep_recovery_later(self, doc: Document) -> None:
        """Debounced: the copy is written recovery.DELAY seconds after the last edit of the tab."""
        old = self._recovery_timers.pop(id(doc), None)
        if old is not None:
            old.stop()
        self._recovery_timers[id(doc)] = self.set_timer(recovery.DELAY, lambda: self._keep_recovery(doc))

    def _keep_recovery(self, doc: Document) -> None:
        self._recovery_timers.pop(id(doc), None)
        try:
            recovery.keep(doc)
        except files.ScenarioError as exc:
            self.message(f"recovery copy not written: {exc}", error=True)

    def _drop_recovery(self, doc: Document) -> None:
        timer = self._recovery_timers.pop(id(doc), None)
        if timer is not None:
            timer.stop()
        recovery.discard(doc)

    def _offer_recovery(self) -> None:
        try:
            copies = recovery.scan()
        except files.ScenarioError as exc:  # a recovery folder others can write: nothing read from it
            self.message(f"recovery copies not read: {exc}", error=True)
            return
        if copies:
            from workbench.tui.screens.recover import RecoverScreen

            self.push_screen(RecoverScreen(copies), self._restore_copies)

    def _restore_copies(self, copies: list[recovery.Copy] | None) -> None:
        for c in copies or []:
            try:
                doc = recovery.restore(c)
            except files.ScenarioError as exc:
                self.message(f"not restored: {exc}", error=True)
                continue
            self.open_doc(doc)

    @on(TabbedContent.TabActivated, "#tabs")
    async def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id is not None:
            await self._ensure_tab(event.pane.id)  # (shown by a click on its label: built now)
        if event.pane.id == "split":
            split = self._split_view()
            await split.ensure()
            if split.ready:  # (not when the app closed meanwhile)
                self._show_split()
                split.halves[0].focus_pane()
        elif event.pane.id == "compare":
            self._show_compare()
            # The focus goes with the tab: left in a scenario tab, keys typed here edited that hidden
            # tab, and TabbedContent brought it back to the front when a late focus event arrived.
            self._compare_view().table.focus()
        else:
            self.call_after_refresh(self._focus_active)
            self.call_after_refresh(self.check_disk)

    def on_app_focus(self, event: events.AppFocus) -> None:
        """Back in the terminal (focus reporting): was the tab's file changed meanwhile?"""
        self.call_after_refresh(self.check_disk)

    def check_disk(self) -> None:
        """Tell, once per outside change, that the tab's file changed on disk: a tab with no unsaved
        edits is offered a reload (a small dialog: the user is looking at figures the file no longer
        holds); one with edits is told on the status line that ctrl+s will ask. Costs a stat while
        nothing moved. The message outlives the grid's focus, which follows both a tab shown and the
        terminal's focus back (Textual gives the focus back to the widget that had it)."""
        view = self.active_view()
        if view is None or self.screen is not self.screen_stack[0]:
            return  # a dialog is open: the next focus or tab change tells
        doc = view.doc
        if doc.path is None or doc.from_preset:
            return  # a preset is a template; its copy under saves/ is checked when ctrl+s writes it
        state = doc.disk_state(quick=True)
        if state == UNCHANGED:
            doc.disk_told = None
            return
        seen = (state, doc.disk_identity())
        if doc.disk_told == seen:
            return
        doc.disk_told = seen
        name = paths.shown(doc.path)
        if state == DELETED:
            view.status(f"{name} was deleted on disk: ctrl+s writes it again", keep=True)
            return
        if state != CHANGED:
            view.status(
                f"{name} cannot be read on disk now: ctrl+s will not write over it unasked",
                error=True,
                keep=True,
            )
            return
        if doc.dirty or view.editing:
            view.status(f"{name} changed on disk: ctrl+s will ask", keep=True)
            return
        try:
            files.load(doc.path)
        except files.ScenarioError as exc:
            view.status(
                f"changed on disk and no longer loads: {exc} (ctrl+s will ask)", error=True, keep=True
            )
            return
        from workbench.tui.screens import ask
        from workbench.tui.screens.changed import RELOAD_CHOICES, ChangedOnDisk

        ask(
            view,
            ChangedOnDisk(
                f"{name} changed on disk. This tab has no unsaved edits: reload it?",
                RELOAD_CHOICES,
                cancel_label="Keep this tab",
            ),
            partial(self._reload_chosen, view),
        )

    def _reload_chosen(self, view: ScenarioView, choice: str | None) -> None:
        if choice == "reload":
            self.reload(view)
        else:
            view.status("kept this tab as it is: ctrl+s will ask before writing over the file")

    def _show_compare(self) -> None:
        items = [(v.doc.title, v.doc.analysis()) for v in self.views()]
        self._compare_view().show(items)

    # --- actions: history and the visible tab -------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.screen is not self.screen_stack[0] and action in APP_ACTIONS:
            return False  # a dialog is open: closing or changing its tab underneath would strand its answer
        if action == "pane" and self._active_tab() == "split":
            return True  # the result panes switch both halves of the split
        if action in TAB_ACTIONS:
            return self.active_view() is not None
        return True

    # Pane keys act on the visible tab, wherever the focus is.
    def action_pane(self, pane: str) -> Awaitable[None] | None:
        if self._active_tab() == "split":
            split = self._split_view()
            if split.set_pane(pane):
                if split.ready:
                    split.halves[0].focus_pane()
                split.status(f"both halves: {registry.BY_ID[pane].title}")
            else:
                split.status(
                    f"the split shows result panes; {registry.BY_ID[pane].title} is edited in a scenario tab",
                    error=True,
                )
            return None
        view = self.active_view()
        if view is not None and pane in registry.BY_ID:
            return view.action_pane(pane)  # a pane not built yet: Textual awaits its build and show
        return None

    def action_other_half(self) -> None:
        self._on_view(ScenarioView.other_half)

    def action_explain(self) -> None:
        self._on_view(ScenarioView.explain)

    def action_price_catalog(self) -> None:
        self._on_view(ScenarioView.price_catalog)

    def action_size_gpu(self) -> None:
        self._on_view(ScenarioView.size_gpu)

    def action_import_usage(self) -> None:
        self._on_view(ScenarioView.import_usage)

    def action_undo(self) -> None:
        self._on_view(ScenarioView.undo)

    def action_redo(self) -> None:
        self._on_view(ScenarioView.redo)

    # --- actions: files ------------------------------------------------------------------------
    # Saves go where the user said. ctrl+s writes the tab's own file; a tab with no file (new, duplicated,
    # or restored from a copy whose recorded file is not to be trusted) asks where, as save-as does.
    # Before writing over an existing file that the tab was not opened from, or one that is not a scenario
    # file (any more), the user is asked. In a served session every path goes through paths.confine.

    def refusal(self, path: Path) -> str | None:
        """The one-line refusal for a path the TUI must not write or read here (served sessions)."""
        return paths.confine(path, self.start_files)

    def _check_target(self, doc: Document, target: Path) -> tuple[str, str]:
        """('save', ''), ('ask', question) or ('refuse', why) for writing `doc` to `target`."""
        refusal = self.refusal(target)
        if refusal:
            return "refuse", refusal
        if paths.is_preset(target):
            return (
                "refuse",
                f"not saved: {target}: presets are templates and are never overwritten (a path under saves/)",
            )
        try:
            if not os.path.lexists(target):
                return "save", ""
            own = (
                doc.path is not None
                and not doc.from_preset
                and paths.resolved(doc.path) == paths.resolved(target)
            )
        except (OSError, ValueError):
            return "refuse", f"not saved: {target}: not a valid path"
        if os.path.isdir(target):
            return "refuse", f"not saved: {target} is a folder (type a file name)"
        unreadable = False
        try:
            files.load(target)
            is_scenario = True
        except files.ScenarioError as exc:
            if exc.reason == "not-regular":
                return "refuse", f"not saved: {target} is not a regular file"
            is_scenario = False
            unreadable = exc.reason == "unreadable"
        if own:
            return (
                ("save", "")
                if is_scenario
                else ("ask", f"{target} is no longer a scenario file on disk. Overwrite it with this tab?")
            )
        if is_scenario:
            return "ask", f"{paths.shown(target)} exists. Overwrite it with this tab?"
        if unreadable:
            return "ask", f"{target} exists and cannot be read: overwrite it?"
        return "ask", f"{target} exists and is not a scenario file: overwrite it?"

    def action_save(self) -> None:
        view = self.active_view()
        if view is None:
            # Compare and Split show several tabs: saving them all at once from here could write files the
            # user did not mean to (or ask several questions in a row), so say which tabs have unsaved edits
            # and how to save each; nothing is written.
            unsaved = [v.doc.title for v in self.views() if v.doc.dirty]
            if unsaved:
                self.message(
                    f"ctrl+s saves the tab in front: unsaved here are {', '.join(unsaved)} (< > go to a tab)"
                )
            else:
                self.message("nothing to save: every scenario tab is saved")
            return
        if view.doc.path is not None:
            target = view.doc.save_target()
            kind, text = self._check_target(view.doc, target)
            if kind == "save" and not view.doc.disk_changed():  # the usual case writes at once
                self._save(view, target)
                return
            if kind == "refuse":
                view.status(text, error=True)
                return
        self._start_save_worker(view, prompt=False)

    def action_save_as(self) -> None:
        view = self.active_view()
        if view is not None:
            self._start_save_worker(view, prompt=True)

    def _start_save_worker(self, view: ScenarioView, prompt: bool) -> None:
        # One at a time: a second ctrl+s typed before the first dialog is on screen would stack another.
        if any(w.group == "save" and not w.is_finished for w in self.workers):
            return
        self.run_worker(self.save_asking(view, prompt=prompt), group="save")

    async def save_asking(self, view: ScenarioView, prompt: bool = False) -> bool:
        """Save the tab, asking where (save-as, or a tab with no file) and before overwriting. True when
        saved. Runs in a worker (it waits for the dialogs)."""
        from workbench.tui.screens.changed import ChangedOnDisk
        from workbench.tui.screens.dialogs import Confirm, TextPrompt

        doc = view.doc
        added = False
        if prompt or doc.path is None:
            title = "Save as (path):" if prompt else f"{doc.title} has no file yet. Save as (path):"
            value = await self.push_screen_wait(TextPrompt(title, str(doc.save_target())))
            if not value:
                view.status("save as cancelled: nothing written", keep=True)
                return False
            try:
                target, added = paths.save_as_target(value)
            except ValueError as exc:
                view.status(f"not saved: {exc}", error=True, keep=True)
                return False
            refusal = self.refusal(target)
            if refusal is None and added and Path(value).expanduser().is_dir():
                refusal = f"not saved: {value} is a folder (type a file name, e.g. {value}/name.toml)"
            if refusal:
                view.status(refusal, error=True, keep=True)
                return False
        else:
            target = doc.save_target()
        kind, text = self._check_target(doc, target)
        if kind == "refuse":
            view.status(text, error=True, keep=True)
            return False
        if kind == "ask":
            choice = await self.push_screen_wait(Confirm(text, save_label="Overwrite", discard=False))
            if choice != "save":
                view.status(
                    f"not saved: {paths.shown(target)} left as it was (your edits are kept)", keep=True
                )
                return False
        elif self._own_file(doc, target) and doc.disk_changed():
            # Someone changed the tab's file since it was read or saved (an editor, another workbench).
            choice = await self.push_screen_wait(
                ChangedOnDisk(f"{paths.shown(target)} changed on disk since this tab read it.")
            )
            if choice == "save_as":
                return await self.save_asking(view, prompt=True)
            if choice == "reload":
                self.reload(view)
                return False
            if choice != "overwrite":
                view.status(
                    f"not saved: {paths.shown(target)} changed on disk (kept, as are your edits)", keep=True
                )
                return False
        note = " (added .toml)" if added else ""
        asked = prompt or doc.path is None  # the user typed the place: no "your copy is under saves/"
        return self._save(
            view,
            target,
            verb="saved as" if asked else "saved to",
            note=note,
            explain_preset=not asked,
            keep=True,
        )

    @staticmethod
    def _own_file(doc: Document, target: Path) -> bool:
        """Whether `target` is the file the tab was read from or saved to (not a preset's copy)."""
        if doc.path is None or doc.from_preset:
            return False
        try:
            return paths.resolved(doc.path) == paths.resolved(target)
        except (OSError, ValueError):
            return False

    def reload(self, view: ScenarioView) -> bool:
        """Take the tab's file from disk. Unsaved edits are first written as a recovery copy of their own
        (offered at the next start), and the status line says where; when that copy cannot be written
        nothing is reloaded. True when reloaded."""
        doc = view.doc
        kept: Path | None = None
        if doc.dirty:
            timer = self._recovery_timers.pop(id(doc), None)
            if timer is not None:
                timer.stop()
            try:
                kept = recovery.keep(doc)
            except files.ScenarioError as exc:
                view.status(f"not reloaded: your edits could not be kept: {exc}", error=True)
                return False
            doc.recovery_key = None  # the copy stays as it is; later edits of the tab get a copy of their own
        try:
            doc.reload()
        except files.ScenarioError as exc:
            if kept is not None:
                doc.recovery_key = kept.stem  # still the tab's own copy: a save removes it
            view.status(f"not reloaded: {exc} (your edits are kept)", error=True)
            return False
        if kept is None:
            self._drop_recovery(doc)
        doc.disk_told = None
        view.refresh_all()
        self._retitle(view)
        name = paths.shown(doc.path or Path())  # (the status line shows its control characters)
        if kept is None:
            view.status(f"reloaded {name} from disk (u undoes)")
            return True
        # Where the edits went comes first: on a narrow status line the end is what gets cut.
        view.status(f"your edits are kept in {paths.shown(kept)}; reloaded {name} from disk (u undoes)")
        self.notify(
            f"Reloaded {name} from disk. Your edits are kept in {paths.shown(kept)} (offered at the next "
            "start); u undoes the reload.",
            title="Reloaded",
            markup=False,
            timeout=10,
        )
        return True

    def _save(
        self,
        view: ScenarioView,
        target: Path | None,
        verb: str = "saved to",
        note: str = "",
        explain_preset: bool = True,
        keep: bool = False,
    ) -> bool:
        was_preset = view.doc.from_preset and explain_preset
        where = target if target is not None else view.doc.save_target()
        refusal = self.refusal(where)
        if refusal:
            view.status(refusal, error=True)
            return False
        try:
            where = view.doc.save(target)
        except files.ScenarioError as exc:
            view.status(f"not saved: {exc} (your edits are kept)", error=True, keep=keep)
            return False
        if was_preset:
            note += " (your copy: presets stay as shipped)"
        view.status(f"✔ {verb} {paths.shown(where)}{note}", keep=keep)  # keep: after a dialog
        self._retitle(view)
        self._drop_recovery(view.doc)
        return True

    def open_doc(self, doc: Document) -> None:
        self.call_later(self._add_tab, doc)

    async def _add_tab(self, doc: Document) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        pane = self._pane(doc)
        await tabs.add_pane(pane, before="compare")
        tabs.active = pane.id or ""
        # Focus into the new tab too. Closing the picker gives the focus back to the old tab's grid,
        # and TabbedContent activates the tab of a focused widget: on a slow machine that came after
        # the line above and the old tab stayed in front. This focus comes later still.
        grids = list(pane.query(Grid))
        if grids:
            grids[0].focus()
        if doc.note:  # e.g. a restored tab that has no file: ctrl+s will ask where
            # the grid's focus, handled next, would show the cell's help instead
            pane.query_one(ScenarioView).status(doc.note, keep=bool(grids))
        self._build_later([pane.query_one(ScenarioView)])  # its other panes, after its first frame

    def _open_path(self, path: Path | None) -> None:
        if path is None:
            return
        refusal = self.refusal(path)
        if refusal:
            self.message(refusal, error=True)
            return
        try:
            doc = Document.open(path)
        except files.ScenarioError as exc:
            self.message(str(exc), error=True)
            return
        self.open_doc(doc)

    def action_new_tab(self) -> None:
        from workbench.tui.screens.dialogs import PresetPicker

        self.push_screen(PresetPicker(), self._open_path)

    def action_open_file(self) -> None:
        from workbench.tui.screens.dialogs import OpenPicker

        self.push_screen(OpenPicker(self.start_files), self._open_path)

    def action_duplicate_tab(self) -> None:
        view = self.active_view()
        if view is not None:
            self.open_doc(view.doc.copy(f"{view.doc.title} copy"))

    def action_rename_tab(self) -> None:
        view = self.active_view()
        if view is None:
            return

        def chosen(value: str | None) -> None:
            bad = first_control(value or "")
            if bad is not None:  # keys in a burst can type an Escape into the prompt
                self.message(f"tab not renamed: {value}: a control character ({control_name(bad)})", True)
            elif value:
                view.doc.title = value
                self._retitle(view)

        from workbench.tui.screens import ask
        from workbench.tui.screens.dialogs import TextPrompt

        ask(view, TextPrompt("Rename tab:", view.doc.title), chosen)

    def action_close_tab(self) -> None:
        self._ask_once(self._close_tab)

    def action_quit_app(self) -> None:
        self._ask_once(self._quit)

    def _ask_once(self, question: Callable[[], Awaitable[None]]) -> None:
        """Run a close or quit that may ask about unsaved tabs, in a worker, unless one is running: q or
        ctrl+w twice in one burst stacked two questions, and the second came back after the first was
        answered."""
        if self._asking:
            return
        self._asking = True

        async def asking() -> None:
            try:
                await question()
            finally:
                self._asking = False

        self.run_worker(asking(), group="question")

    async def _close_tab(self) -> None:
        from workbench.tui.screens.dialogs import Confirm

        view = self.active_view()
        if view is None:
            return
        if view.doc.dirty:
            choice = await self.push_screen_wait(
                Confirm(f"{view.doc.title} has unsaved changes. Save before closing?", default="save")
            )
            if choice == "cancel":
                return
            if choice == "save" and not await self.save_asking(view):
                return
        if len(self.screen_stack) > 1:  # a dialog of this tab opened meanwhile (fast keys): keep the tab
            return
        tabs = self.query_one("#tabs", TabbedContent)
        self._drop_recovery(view.doc)  # saved, discarded on purpose, or never edited
        await tabs.remove_pane(view.tab_id)
        if not self.views():
            self.exit()

    async def action_next_tab(self, step: int = 1) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        # The scenario tabs, in order, then Compare (not the panes nested inside a tab, such as "simulation").
        ids = [v.tab_id for v in self.views()] + list(SHARED_TABS)
        if tabs.active in ids:
            await self._switch_tab(ids[(ids.index(tabs.active) + step) % len(ids)])

    async def action_prev_tab(self) -> None:
        await self.action_next_tab(-1)

    async def action_compare(self) -> None:
        await self._switch_tab("compare")

    async def _switch_tab(self, tab_id: str) -> None:
        await self._ensure_tab(tab_id)  # a tab not built yet is built first: the keys typed next wait
        view = self.active_view()
        if view is not None and self.focused is not None and view in self.focused.ancestors:
            view.last_focus = self.focused  # given back when the tab is shown again (restore_focus)
        self._switch_tab_now(tab_id)

    def _switch_tab_now(self, tab_id: str) -> None:
        """Show a tab, with no focus left behind in the one being hidden. Textual hands the focus of a
        widget being hidden to a sibling; when the hide arrives before the sibling is hidden too, that
        sibling is in the old tab, and TabbedContent shows the old tab again (a key such as `>` right
        after start then seemed to move the focus to the next grid instead). The new tab's handler
        focuses its own grid."""
        self.screen.set_focus(None)
        self.query_one("#tabs", TabbedContent).active = tab_id

    async def _quit(self) -> None:
        from workbench.tui.screens.dialogs import Confirm

        for view in self.views():
            if not view.doc.dirty:
                continue
            await self._ensure_tab(view.tab_id)
            self.query_one("#tabs", TabbedContent).active = view.tab_id
            choice = await self.push_screen_wait(
                Confirm(f"{view.doc.title} has unsaved changes. Save before quitting?", default="save")
            )
            if choice == "cancel":
                return
            if choice == "save" and not await self.save_asking(view):
                return
        for view in self.views():
            self._drop_recovery(view.doc)  # every tab is saved or its edits were discarded on purpose
        self.exit()

    # --- exports (`E`) --------------------------------------------------------------------------
    def action_export(self) -> None:
        from workbench.session import exports
        from workbench.tui.screens.export import ExportChooser

        if self.active_view() is None:
            self.message("exports work on a scenario tab (< and > switch tabs)", error=True)
            return

        def chosen(kind: str | None) -> None:
            if kind:
                self.call_after_refresh(self.export, kind)
            else:
                self.message("export cancelled")

        self.push_screen(ExportChooser(exports.shown(paths.saves_dir()) + "/"), chosen)

    def export(self, kind: str) -> list[Path]:
        """Write the export(s) of the active tab; says where on the status line; returns the paths."""
        from workbench.session import exports

        view = self.active_view()
        if view is None:
            self.message("exports work on a scenario tab", error=True)
            return []
        refusal = self.refusal(paths.saves_dir())
        if refusal:  # exports always go into saves/; the check is here so that no write skips it
            self.message(refusal, error=True)
            return []
        kinds = ("markdown", "csv", "svg") if kind == "all" else (kind,)
        title = view.doc.title
        when = datetime.now()
        written: list[Path] = []
        try:
            a = view.doc.analysis()
            for k in kinds:
                if k == "markdown":
                    written.append(exports.write_summary(a, title, when=when))
                elif k == "csv":
                    written.append(exports.write_monthly(a, title, when=when))
                elif k == "svg":
                    target = exports.export_path(title, "screen", "svg", when)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    written.append(Path(self.save_screenshot(filename=target.name, path=str(target.parent))))
        except OSError as exc:
            self.message(f"export failed: {exc.strerror or exc} ({paths.saves_dir()})", error=True)
            return written
        what = {"markdown": "summary", "csv": "monthly table", "svg": "screenshot"}
        if len(written) == 1:
            self.message(f"✔ {what[kinds[0]]} exported to {exports.shown(written[0])}")
        else:
            folder = exports.shown(written[0].parent)
            stems = [p.name for p in written]
            self.message(
                f"✔ summary, monthly table, screenshot in {folder}/: "
                + stems[0].replace("-summary-", "-{summary,monthly,screen}-").rsplit(".", 1)[0]
                + ".*"
            )
        return written

    # --- help and the palette ------------------------------------------------------------------
    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every key, generated from the bindings and the pane registry."""
        panes = []
        for pane in registry.PANES:
            panes.append(
                (
                    self._pane_keys(pane),
                    pane.help + (" (computed only while on screen)" if pane.runs_when_shown else ""),
                )
            )
        sections = [
            (
                "Anywhere",
                _rows(b for b in self._keyed(self.BINDINGS) if not b.id or not b.id.startswith("pane.")),
            ),
            ("Panes", panes),
            ("Scenario tab", _rows(self._keyed(ScenarioView.BINDINGS))),
            (
                "Grids",
                _rows(self._keyed(Grid.BINDINGS))
                + [("0-9 . - $", "Start typing a number into the cell"), ("arrows hjkl", "Move")],
            ),
            (
                "Editing a cell",
                [("Enter", "Commit (10k, 2.5M, $1,500, 35%, 1e6 are understood)")]
                + _rows(self._keyed(EditBar.BINDINGS)),
            ),
        ]
        for pane in registry.PANES:
            for widget in pane.keys_of:
                sections.append((f"{pane.title} pane", _rows(self._keyed(widget.BINDINGS))))
        return sections

    def _pane_keys(self, pane: registry.Pane) -> str:
        """A pane's keys as `?` and the palette show them ("f9 T"), the config's overrides applied."""
        return " ".join(KEY_NAMES.get(b.key, b.key) for b in self._keyed(pane.bindings()))

    def _keyed(self, declared: Iterable[Binding | tuple[str, ...]]) -> list[Binding]:
        """The bindings with the user config's key overrides, as the `?` screen lists them."""
        return [
            b.with_key(self._keymap[b.id]) if b.id and b.id in self._keymap else b
            for b in _bindings(declared)
        ]

    def action_help(self) -> None:
        from workbench.tui.screens.dialogs import HelpScreen

        self.push_screen(HelpScreen(self.help_sections()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for b in _bindings(self.BINDINGS):
            if b.action == "help" or (b.id or "").startswith("pane."):
                continue
            title = b.description or b.action
            yield SystemCommand(title, b.tooltip or title, partial(self.run_action, b.action))
        view = self.active_view()
        if view is None:
            if self._active_tab() == "split":  # the result panes, in both halves
                for pane in registry.in_half("outputs"):
                    yield SystemCommand(
                        f"Split: {pane.command_title}",
                        f"{pane.help}, in both halves ({self._pane_keys(pane).upper()})",
                        partial(self.action_pane, pane.id),
                    )
            return
        for pane in registry.PANES:
            yield SystemCommand(
                pane.command_title,
                f"{pane.help} ({self._pane_keys(pane).upper()})",
                partial(view.action_pane, pane.id),
            )
        for b in _bindings(ScenarioView.BINDINGS):
            yield SystemCommand(
                b.description, b.tooltip or f"Go to {b.description}", partial(view.run_action, b.action)
            )
        for title, help_text, kind in EXPORT_COMMANDS:
            yield SystemCommand(title, help_text, partial(self.export, kind))


EXPORT_COMMANDS = (
    ("Export summary (Markdown)", "Save this tab's summary as Markdown into saves/", "markdown"),
    ("Export monthly table (CSV)", "Save this tab's monthly table as CSV into saves/", "csv"),
    ("Export screenshot (SVG)", "Save an SVG screenshot of the screen into saves/", "svg"),
)
KEY_NAMES = {
    "question_mark": "?",
    "backslash": "\\",
    "vertical_line": "|",
    "greater_than_sign": ">",
    "less_than_sign": "<",
    "plus": "+",
    "equals_sign": "=",
    "minus": "-",
}


def _bindings(declared: Iterable[Binding | tuple[str, ...]]) -> list[Binding]:
    """The Binding objects of a BINDINGS list (every one here is a Binding)."""
    return [b for b in declared if isinstance(b, Binding)]


def _rows(bindings: Iterable[Binding]) -> list[tuple[str, str]]:
    """(keys, what they do) for the `?` screen; keys without words are moves listed elsewhere."""
    out = []
    for b in bindings:
        what = b.tooltip or b.description
        if what:
            out.append((",".join(KEY_NAMES.get(k, k) for k in b.key.split(",")), what))
    return out


APP_ACTIONS = {b.action.split("(")[0] for b in _bindings(WorkbenchApp.BINDINGS)}
SHARED_TABS = ("compare", "split")  # the tabs over several scenarios, after the scenario tabs
# Actions on the tab in front: off on the Compare tab.
TAB_ACTIONS = {
    "undo",
    "redo",
    "save_as",
    "duplicate_tab",
    "rename_tab",
    "close_tab",
    "pane",
    "other_half",
    "explain",
    "price_catalog",
    "size_gpu",
    "import_usage",
}


def run(scenarios: Sequence[tuple[Path, Scenario] | tuple[Path, Scenario, str]]) -> int:
    """The TUI on (path, scenario) or (path, scenario, the text it was read from) pairs."""
    try:
        config.current(paths.config_file())  # a broken config: one line and exit 1, before the screen
    except config.ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    docs = [Document(s[1], s[0], source=s[2] if len(s) > 2 else None) for s in scenarios]
    app: WorkbenchApp | None = None
    try:
        app = WorkbenchApp(docs)
        app.run()  # an error inside its loop is reported there (WorkbenchApp._handle_exception)
        return app.return_code or 0  # 1 when the app ended on an unhandled error, so scripts see it
    except Exception as error:  # outside the loop (building the app, starting or stopping the terminal)
        return _crashed(error, docs if app is None else app.open_docs())
    finally:
        recovery.release()  # this session's lock file goes; its copies (if any) are offered next time


def _crashed(error: Exception, docs: list[Document]) -> int:
    """An error outside the app's loop: the same report as inside it (copies, log), and its line."""
    report = crash.report(error, docs, {"raised in": "tui.app.run, outside the app's loop"})
    print(report.line(), file=sys.stderr)
    if report.log is None:
        traceback.print_exception(error)
    return 1
