"""Panes that follow every edit but work only while on screen."""

from __future__ import annotations

from workbench.model.report import Analysis


class RunsWhenShown:
    """Mixed into a pane (before its widget class): `show(analysis)` keeps the newest analysis and calls
    `run()` at once if the pane is on screen, else the next time it is shown. An edit then costs nothing
    in the panes nobody is looking at (a sensitivity batch, a Monte Carlo run, a layout pass for the
    ladder's text). The pane registry says which panes these are (`Pane.runs_when_shown`)."""

    analysis: Analysis | None = None
    _stale = False
    _on_screen = False

    def show(self, a: Analysis) -> None:
        self.analysis = a
        self._stale = True
        if self._on_screen:
            self._run_now()

    def on_show(self) -> None:
        self._on_screen = True
        if self._stale and self.analysis is not None:
            self._run_now()

    def on_hide(self) -> None:
        self._on_screen = False

    def _run_now(self) -> None:
        self._stale = False
        self.run()

    def run(self) -> None:  # pragma: no cover - every pane defines it
        raise NotImplementedError
