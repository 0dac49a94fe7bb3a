"""The Textual driver of an app started by `workbench serve` (the server names it in TEXTUAL_DRIVER).

Textual's web driver stops reading when its stdin reaches end of file and leaves the app running: an app
whose server went away without ending it (a server killed where no parent-death signal exists, a server's
cleanup cut short) would run on with no one to show it to. The server's end of that pipe closing means the
session is over, so here it ends the app, as the server's "quit" does.
"""

from __future__ import annotations

import asyncio

from textual import messages
from textual.drivers.web_driver import WebDriver


class ServedDriver(WebDriver):
    """Textual's web driver, plus: the app exits once its input reaches end of file."""

    def run_input_thread(self) -> None:
        super().run_input_thread()
        # The loop above returns when stdin reaches end of file (or fails), or when the app stops it on
        # its way out (exit_event set): only the first needs the app told.
        if self.exit_event.is_set():
            return
        try:  # on the app's loop (the Driver keeps it), as the web driver's SIGTERM handler does
            asyncio.run_coroutine_threadsafe(self._app._post_message(messages.ExitApp()), self._loop)
        except RuntimeError:  # the loop has closed: the app is over already
            pass
