"""The command palette, hardened against keys typed faster than it opens and closes.

In Textual 8.2.8 the palette's search worker can finish after Esc has already removed the list it
writes to; the worker then raises NoMatches and the whole app exits. The key fuzz test
(tests/test_fuzz_keys.py) found it with `ctrl+p`, a letter and Esc arriving within a few milliseconds,
which a paste or a fast typist over SSH delivers; and page down in the list before its first layout
raised KeyError.
"""

from __future__ import annotations

from textual import work
from textual.command import CommandPalette
from textual.css.query import NoMatches


class SafeCommandPalette(CommandPalette):
    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        try:
            await CommandPalette._gather_commands.__wrapped__(self, search_value)
        except NoMatches:
            pass  # the palette closed while it searched: there is no list left to fill

    def _refresh_command_list(self, *args, **kwargs) -> None:
        try:
            super()._refresh_command_list(*args, **kwargs)
        except NoMatches:
            pass  # the palette closed while it searched: there is no list left to fill

    def _action_command_list(self, action: str) -> None:
        try:
            super()._action_command_list(action)
        except (KeyError, IndexError):
            pass  # page up/down reached the list before its first layout

    def _watch__list_visible(self) -> None:
        try:
            super()._watch__list_visible()
        except NoMatches:
            pass

    async def _watch__show_busy(self) -> None:
        try:
            await super()._watch__show_busy()
        except NoMatches:
            pass
