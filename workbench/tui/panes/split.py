"""The Split tab: two scenario tabs side by side (stacked below 120 columns), each half showing the same
result pane of its own scenario, built with the very widgets a scenario tab uses (the pane registry).

Read-only: edits stay in the scenario tabs. The app says which two tabs (`choose`) and calls `show` when
the tab comes to the front or when one of its scenarios changed (ScenarioView.Changed); a half renders
only from its Document's `analysis()`, as ScenarioView.refresh_all feeds its own panes (registry.feed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.css.query import NoMatches
from textual.widgets import ContentSwitcher, Static

from workbench.model.fmt import shown
from workbench.model.report import Analysis
from workbench.tui.messages import Say
from workbench.tui.panes import registry
from workbench.tui.panes.plots import PlotsPane
from workbench.tui.panes.registry import feed
from workbench.tui.panes.tables import BreakdownTable, ResultsTable, RiskTable, risk_detail
from workbench.tui.textual_fixes import plain_text

if TYPE_CHECKING:
    from workbench.session.document import Document

PANES = registry.OUTPUT_PANES  # every result pane: the F-keys and letters switch both halves


class SplitHalf(Vertical):
    """One half: the scenario's name, then its result panes, one at a time."""

    def __init__(self, side: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.side = side  # "left" (upper when stacked) or "right" (lower)
        self.doc: Document | None = None
        self._shown: Analysis | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="split-title")
        with ContentSwitcher(initial=PANES[0]):
            for pane_id in PANES:
                with Vertical(id=pane_id, classes="split-pane"):
                    yield from registry.BY_ID[pane_id].build()

    def show(self, doc: Document | None, title: str) -> None:
        self.doc = doc
        head = Text()
        head.append(" ◧ " if self.side == "left" else " ◨ ", style="bold")
        head.append(shown(title) or "—", style="bold")
        if doc is not None and doc.scenario.name and doc.scenario.name != title:
            head.append(f" · {doc.scenario.name}", style="dim")  # the tab's name, then the scenario's own
        self.query_one(".split-title", Static).update(head)
        if doc is None:
            return
        a = doc.analysis()
        if a is not self._shown:  # only what changed is re-rendered
            self._shown = a
            feed(self.query_one, a)

    def set_pane(self, pane_id: str) -> None:
        self.query_one(ContentSwitcher).current = pane_id

    def focus_pane(self) -> None:
        pane = self.query_one(ContentSwitcher).visible_content
        if pane is None:
            return
        for w in pane.query("*"):
            if w.can_focus and not w.disabled:
                w.focus()
                return

    @on(RiskTable.Focused)
    def _risk_focused(self, event: RiskTable.Focused) -> None:
        try:
            self.query_one("#risk-detail", Static).update(risk_detail(event.risk))
        except NoMatches:
            pass

    @on(RiskTable.Toggle)
    @on(RiskTable.EditNote)
    def _read_only(self, event: RiskTable.Toggle | RiskTable.EditNote) -> None:
        event.stop()
        self.post_message(Say("the split view is read-only: edit the risks in the scenario's own tab", True))

    @on(ResultsTable.OptionFocused)
    def _option_focused(self, event: ResultsTable.OptionFocused) -> None:
        event.stop()
        if self._shown is not None:
            self.query_one(BreakdownTable).show(self._shown, event.index)
            self.query_one(PlotsPane).show(self._shown, event.index)


class SplitView(Vertical):
    """Two halves and a status line; which scenarios they show is the app's to say."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pane = PANES[0]
        self._mounting = False

    def compose(self) -> ComposeResult:
        yield Container(id="split-halves")  # the halves are mounted when the split is first shown (ensure)
        yield Static("", id="split-status")

    @property
    def ready(self) -> bool:
        try:
            return bool(self.query("#split-left")) and bool(self.query("#split-right"))
        except NoMatches:
            return False

    async def ensure(self) -> None:
        """Mount the two halves, once: two sets of every result pane cost the start-up nothing until the
        split is first opened."""
        if self.ready or self._mounting:  # (a second call while the first mounts: the first shows them)
            return
        self._mounting = True
        try:
            await self.query_one("#split-halves").mount(
                SplitHalf("left", id="split-left"), SplitHalf("right", id="split-right")
            )
        finally:
            self._mounting = False
        if not self.ready:  # the app closed meanwhile
            return
        for half in self.halves:
            half.set_pane(self.pane)

    @property
    def halves(self) -> tuple[SplitHalf, SplitHalf]:
        return self.query_one("#split-left", SplitHalf), self.query_one("#split-right", SplitHalf)

    def show(self, left: tuple[Document, str] | None, right: tuple[Document, str] | None) -> None:
        if not self.ready:
            return
        for half, item in zip(self.halves, (left, right), strict=True):
            if item is None:
                half.show(None, "open a second scenario (ctrl+t) to split")
            else:
                half.show(*item)

    def set_pane(self, pane_id: str) -> bool:
        """Show `pane_id` in both halves; False if the split has no such pane (an input pane)."""
        if pane_id not in PANES:
            return False
        self.pane = pane_id
        if self.ready:
            for half in self.halves:
                half.set_pane(pane_id)
        return True

    def status(self, text: str, error: bool = False) -> None:
        st = self.query_one("#split-status", Static)
        st.update(plain_text(text), layout=False)
        st.set_class(error, "error")

    @on(Say)
    def _say(self, event: Say) -> None:
        event.stop()
        self.status(event.text, error=event.error)
