"""The key footer, rebuilt only when the keys it shows change.

Textual's Footer recomposes all of its keys (and the screen's layout with them) every time the screen
says its bindings may have changed, which is twice per focus change: a committed edit (the focus goes
back from the edit bar to the grid) paid two rebuilds and two layout passes. This footer remembers what
it shows and skips a rebuild that would show the same keys, and keeps its keys while the cell editor is
open (benchmarks/README.md has the figures).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    _wanted: tuple | None = None  # the keys of the last rebuild, done or scheduled

    def _keys(self) -> tuple:
        """What compose() would show: every shown binding with its state, and the palette key."""
        active = self.screen.active_bindings
        shown = tuple(
            (b.key, b.action, b.description, b.group, enabled, tooltip, self.app.get_key_display(b))
            for (_, b, enabled, tooltip) in active.values()
            if b.show
        )
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        extra = (palette[1].key, palette[2]) if palette is not None and self.show_command_palette else None
        return shown, extra, self.compact

    def bindings_changed(self, screen: Screen) -> None:
        focused = screen.focused
        if focused is not None and focused.id == "edit-input":
            # The cell editor is open for a moment: it says its own keys (Enter commits, Esc cancels),
            # and keeping the grid's keys here spares two rebuilds and layout passes per edit.
            return
        if self._bindings_ready and self.is_attached and screen is self.screen and screen.app.app_focus:
            keys = self._keys()
            if keys == self._wanted:
                return  # a rebuild showing these keys is done or on its way
            self._wanted = keys
        super().bindings_changed(screen)

    def compose(self):
        if self._bindings_ready:
            self._wanted = self._keys()
        yield from super().compose()
