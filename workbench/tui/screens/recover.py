"""The restore offer shown at start when a previous session left unsaved edits (workbench.session.recovery)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from workbench.session import recovery
from workbench.tui.textual_fixes import Dialog


class RecoverScreen(Dialog[list[recovery.Copy]]):
    """Lists the recoverable tabs. Enter/r restores the highlighted one, d discards it, a restores all,
    Esc decides later (the copies stay and are offered again). Dismisses with the copies to restore."""

    BINDINGS = [
        Binding("r", "restore", "Restore"),
        Binding("d", "discard", "Discard"),
        Binding("a", "restore_all", "Restore all"),
        Binding("escape", "later", "Later"),
    ]

    def __init__(self, copies: list[recovery.Copy]) -> None:
        super().__init__()
        self.copies = list(copies)
        self.chosen: list[recovery.Copy] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="recover"):
            yield Label("Unsaved edits from a session that ended without saving", classes="dialog-title")
            yield OptionList(id="recover-list")
            yield Static(
                "Enter/r restore · d discard (deletes the copy) · a restore all · Esc later", classes="dim"
            )

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        for c in self.copies:
            t = Text()
            t.append(c.title, style="bold")
            t.append(f"  {c.describe().removeprefix(c.title).strip()}", style="dim")
            if c.scenario is None:
                t.append(f"\n  cannot be restored: {c.error}", style="red")
            elif c.problem:
                t.append(f"\n  restored with no file: {c.problem}; ctrl+s asks where to save", style="yellow")
            ol.add_option(Option(t, id=c.key))
        if self.copies:
            ol.highlighted = 0

    def _current(self) -> recovery.Copy | None:
        i = self.query_one(OptionList).highlighted
        return self.copies[i] if i is not None and 0 <= i < len(self.copies) else None

    def _take(self, copy: recovery.Copy) -> None:
        self.copies.remove(copy)
        if self.copies:
            self._fill()
        else:
            self.dismiss(self.chosen)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_restore()

    def action_restore(self) -> None:
        c = self._current()
        if c is None:
            return
        if c.scenario is None:
            self.notify(f"cannot restore: {c.error} (d discards it)", severity="error", markup=False)
            return
        self.chosen.append(c)
        self._take(c)

    def action_discard(self) -> None:
        c = self._current()
        if c is not None:
            recovery.discard(c)
            self._take(c)

    def action_restore_all(self) -> None:
        self.chosen += [c for c in self.copies if c.scenario is not None]
        self.dismiss(self.chosen)

    def action_later(self) -> None:
        self.dismiss(self.chosen)
