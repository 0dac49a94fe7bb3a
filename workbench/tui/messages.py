"""Messages several widgets post up to the view that owns their tab (messages up, attributes down)."""

from __future__ import annotations

from textual.message import Message


class Say(Message):
    """Words for the status line of the tab: a pane says them, the view that owns the line shows them."""

    def __init__(self, text: str, error: bool = False) -> None:
        super().__init__()
        self.text = text
        self.error = error
