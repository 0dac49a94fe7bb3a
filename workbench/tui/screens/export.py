"""The export chooser (`E`): Markdown summary, CSV monthly table, SVG screenshot, or all three."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from workbench.model.fmt import shown
from workbench.tui.textual_fixes import Dialog


class ExportChooser(Dialog[str | None]):
    """What to export: m Markdown summary, c CSV monthly table, s SVG screenshot, a all three."""

    BINDINGS = [
        Binding("escape", "choose('')", "Cancel"),
        Binding("m", "choose('markdown')", "Markdown", show=False),
        Binding("c", "choose('csv')", "CSV", show=False),
        Binding("s", "choose('svg')", "SVG", show=False),
        Binding("a", "choose('all')", "All", show=False),
    ]

    CHOICES = (
        ("markdown", "m", "Summary as Markdown (recommendation, options, ladder, risks)"),
        ("csv", "c", "Monthly table as CSV (every option, month and component)"),
        ("svg", "s", "Screenshot of the screen as SVG"),
        ("all", "a", "All three"),
    )

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Label(Content(shown(f"Export this tab into {self.folder}")), classes="dialog-title")
            yield OptionList(
                *[
                    Option(Text.assemble((f"{key}  ", "bold cyan"), what), id=kind)
                    for kind, key, what in self.CHOICES
                ],
                id="export-list",
            )
            yield Label("Enter or the letter exports · Esc cancels", classes="dim")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_choose(self, kind: str) -> None:
        self.dismiss(kind or None)
