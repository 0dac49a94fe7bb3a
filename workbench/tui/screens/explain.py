"""Explain (`x`): the formula behind one figure, with the scenario's numbers, down to the inputs."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from workbench.model.explain import Explanation
from workbench.tui.textual_fixes import Dialog


def explanation_text(e: Explanation, width: int = 100) -> Text:
    """An explanation, styled: the figure's line in bold, numbers plain, formulas dim, inputs listed."""
    t = Text()
    for line in e.lines:
        pad = "  " * line.depth
        t.append(pad + line.label, style="bold" if line.depth == 0 else "bold cyan")
        t.append(" = ")
        t.append(line.symbolic, style="dim")
        if line.values and line.values != line.symbolic and not line.result.startswith(line.values + " "):
            one_line = len(pad + line.label + line.symbolic + line.values + line.result) + 9 <= width
            t.append(" = " if one_line else "\n" + pad + "    = ")
            t.append(line.values)
        if line.result and line.result != line.values:
            t.append(" = ")
            t.append(line.result, style="bold green" if line.depth == 0 else "bold")
        for note in line.notes:
            t.append(f"\n{pad}    ({note})", style="italic dim")
        t.append("\n")
    if e.inputs:
        t.append("\ninputs, where they are edited\n", style="bold underline")
        width = max(len(label) for label, _, _ in e.inputs)
        for label, path, value in e.inputs:
            t.append(f"  {label:<{width}}  ")
            t.append(f"{value:>14}", style="bold")
            t.append(f"   {path}\n", style="dim")
    return t


class ExplainScreen(Dialog[None]):
    """The formula behind one figure, with the scenario's numbers, down to the inputs."""

    DEFAULT_CSS = """
    ExplainScreen > Vertical { width: 96%; max-width: 140; height: 90%; border: thick $primary;
                               background: $surface; padding: 0 1; }
    ExplainScreen #explain-title { text-style: bold; height: auto; }
    ExplainScreen #explain-body { height: 1fr; }
    ExplainScreen #explain-hint { color: $text-muted; height: 1; }
    """
    BINDINGS = [
        Binding("escape,q,x", "close", "Close"),
        Binding("y", "copy", "Copy", tooltip="Copy the explanation as text"),
    ]

    def __init__(self, e: Explanation) -> None:
        super().__init__()
        self.explanation = e

    def compose(self) -> ComposeResult:
        e = self.explanation
        with Vertical():
            yield Label(Content(f"Explain: {e.title}"), id="explain-title")
            with VerticalScroll(id="explain-body"):
                inner = min(self.app.size.width * 96 // 100, 140) - 8  # inside the border, padding, scrollbar
                yield Static(explanation_text(e, width=max(40, inner)), id="explain-text")
            yield Static(
                "Esc closes · y copies the text · ↑↓ PgUp PgDn scroll · every number comes from the "
                "engine's own formula",
                id="explain-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#explain-body").focus()

    def action_copy(self) -> None:
        text = f"{self.explanation.title}\n\n{self.explanation.text()}\n"
        try:
            self.app.copy_to_clipboard(text)  # also what `p` pastes into a cell (App.clipboard)
        except Exception:
            pass  # the terminal refused the escape sequence: the app's own clipboard has it
        self.notify("explanation copied")

    def action_close(self) -> None:
        self.dismiss(None)
