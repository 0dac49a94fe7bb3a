"""The file changed on disk: what to do about it (ctrl+s over an outside change, or a reload offer)."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from workbench.model.fmt import shown
from workbench.tui.textual_fixes import Dialog

SAVE_CHOICES = (
    ("overwrite", "Overwrite", "o", "write this tab over the file"),
    ("reload", "Reload", "r", "take the file; your edits go to a recovery copy"),
    ("save_as", "Save as", "s", "write this tab to another file"),
)
"""ctrl+s when the file changed since the tab read it: (id, label, key, what it does)."""

RELOAD_CHOICES = (("reload", "Reload", "r", "take the file into this tab (u undoes)"),)
"""The tab has no unsaved edits and its file changed: take it?"""


class ChangedOnDisk(Dialog[str]):
    """Returns the chosen id, or 'cancel' (Escape, or the last button). The letter of a choice picks it;
    arrows move between the buttons; Enter presses the focused one, which starts on the cancel button so
    that a stray Enter writes nothing."""

    BINDINGS = [
        Binding("escape", "choose('cancel')", "Cancel"),
        Binding("left,up", "move(-1)", "Previous", show=False),
        Binding("right,down", "move(1)", "Next", show=False),
    ]

    def __init__(
        self,
        message: str,
        choices: Sequence[tuple[str, str, str, str]] = SAVE_CHOICES,
        cancel_label: str = "Cancel",
    ) -> None:
        super().__init__()
        self.message = message
        self.choices = tuple(choices)
        self.cancel_label = cancel_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="changed-dialog"):
            # Static, not Label: a long path wraps instead of being cut at the dialog's edge
            yield Static(Content(shown(self.message)), classes="dialog-title")
            for _, label, key, what in self.choices:
                yield Static(Content.assemble((f"{key}  ", "bold"), (f"{label}: ", "bold"), what))
            yield Static(Content.assemble(("esc  ", "bold"), f"{self.cancel_label}: nothing is written"))
            with Horizontal(classes="buttons"):
                for choice, label, key, _ in self.choices:
                    yield Button(Content(f"{label} [{key}]"), id=choice, compact=True)  # not markup
                yield Button(Content(f"{self.cancel_label} [esc]"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_key(self, event: events.Key) -> None:
        for choice, _, key, _ in self.choices:
            if event.key == key:
                event.stop()
                self.dismiss(choice)
                return

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id or "cancel")

    def action_move(self, step: int) -> None:
        buttons = list(self.query(Button))
        focused = self.focused
        at = buttons.index(focused) if isinstance(focused, Button) and focused in buttons else 0
        buttons[(at + step) % len(buttons)].focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
