"""The workbench's dialogs. Each derives from textual_fixes.Dialog (dismissed once, whatever keys arrive
before it closes); `ask` opens one on behalf of a scenario tab."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widget import Widget

R = TypeVar("R")


def ask(owner: Widget, screen: Screen[R], then: Callable[[R | None], object]) -> None:
    """Open `screen` for `owner` (the scenario tab it is about); its answer reaches `then` only while the
    owner is still there: a tab closed before the answer arrives (by a quit's or a close's worker, keys
    typed fast) takes nothing from it."""

    def answered(result: R | None) -> None:
        if owner.is_attached:
            then(result)

    owner.app.push_screen(screen, answered)
