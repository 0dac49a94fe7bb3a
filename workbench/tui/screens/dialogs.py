"""Modal screens: pickers, prompts, confirmations and the help screen."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from workbench.model.fmt import shown
from workbench.store import paths
from workbench.tui.textual_fixes import Dialog


class PresetPicker(Dialog[Path | None]):
    """New tab from a preset: every shipped preset with its one-line description."""

    AUTO_FOCUS = "OptionList"

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("New tab from a preset  (Enter opens, Esc cancels)", classes="dialog-title")
            options = []
            for p, name, desc in paths.list_presets():
                t = Text()
                t.append(shown(name), style="bold")  # read without validation: shown, not sent
                t.append(f"  {p.name}\n", style="dim")
                t.append(shown(desc or ""))
                options.append(Option(t, id=str(p)))
            yield OptionList(*options, id="picker")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(Path(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class OpenPicker(Dialog[Path | None]):
    """Open a file: presets and saves listed, or a typed path. `start_files`: the files a served session
    may open besides the saves and presets folders (paths.confine)."""

    AUTO_FOCUS = "Input"

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, start_files: tuple[Path, ...] = ()) -> None:
        super().__init__()
        self.start_files = start_files

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Open a scenario: pick one, or type a path and press Enter", classes="dialog-title")
            yield Input(placeholder="path/to/scenario.toml", id="open-path")
            options = []
            for folder, tag in ((paths.saves_dir(), "saves"), (paths.presets_dir(), "presets")):
                for p in sorted(folder.glob("*.toml")):
                    options.append(Option(Text.assemble((f"{tag}/", "dim"), (p.name, "bold")), id=str(p)))
            yield OptionList(*options, id="picker")
            yield Static("", id="open-error", classes="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.query_one(OptionList).focus()
            return
        p = Path(value).expanduser()
        refusal = paths.confine(p, self.start_files)
        if refusal:  # before looking at the path: a served session says nothing about files outside
            self.query_one("#open-error", Static).update(Text(refusal))
            return
        if not p.exists():
            self.query_one("#open-error", Static).update(Text(f"{value}: no such file"))
            return
        self.dismiss(p)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(Path(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(Dialog[str | None]):
    """Ask for one line of text (a tab name, a save-as path)."""

    AUTO_FOCUS = "Input"

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Input(value=self.value, id="prompt-input")
            yield Label("Enter accepts · Esc cancels", classes="dim")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


# Arrow keys move between a dialog's buttons (Textual's Buttons take only tab and shift+tab). Not priority:
# a focused Input or OptionList keeps its own arrows.
BUTTON_ARROWS = [
    Binding("left,up", "app.focus_previous", "Previous button", show=False),
    Binding("right,down", "app.focus_next", "Next button", show=False),
]


class Confirm(Dialog[str]):
    """Unsaved changes: save, discard or cancel. Returns 'save', 'discard' or 'cancel'.

    With `discard=False` only the first choice and Cancel are offered (overwrite a file, or not).
    `default`: the button the focus starts on, so Enter takes it."""

    BINDINGS = [
        *BUTTON_ARROWS,
        Binding("escape", "choose('cancel')", "Cancel"),
        Binding("s", "choose('save')", "Save"),
        Binding("d", "choose('discard')", "Discard"),
        Binding("c", "choose('cancel')", "Cancel", show=False),
    ]

    def __init__(
        self, message: str, save_label: str = "Save", discard: bool = True, default: str = "cancel"
    ) -> None:
        super().__init__()
        self.message = message
        self.save_label = save_label
        self.discard = discard
        # Cancel unless the caller knows better: an overwrite must be chosen on purpose, while the user who
        # quits or closes a tab with unsaved edits most likely wants them saved (app passes "save").
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Static(Content(shown(self.message)), classes="dialog-title")  # a long path wraps, not cut
            with Horizontal(classes="buttons"):
                yield Button(
                    Content(f"{self.save_label} [s]"), id="save", variant="primary"
                )  # text, not markup
                if self.discard:
                    yield Button(Content("Discard [d]"), id="discard", variant="error")
                yield Button(Content("Cancel [esc]"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(f"#{self.default}", Button).focus()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "choose" and parameters == ("discard",) and not self.discard:
            return False
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class HelpScreen(Dialog[None]):
    """Every key, grouped, generated from the bindings the app and its widgets declare."""

    AUTO_FOCUS = "VerticalScroll"

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        t = Text()
        t.append("workbench keys  (Esc closes; ctrl+p opens the command palette)\n\n", style="bold")
        for title, rows in self.sections:
            t.append(f"{title}\n", style="bold underline")
            for keys, what in rows:
                t.append(f"  {keys:<18}", style="bold cyan")
                t.append(f"{what}\n")
            t.append("\n")
        with VerticalScroll(classes="dialog help"):
            yield Static(t)

    def action_close(self) -> None:
        self.dismiss(None)


class TextScreen(Dialog[None]):
    """Some text shown whole in a small dialog (a Compare row); any of Esc, Enter, q closes it."""

    AUTO_FOCUS = "VerticalScroll"

    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, text: Text) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog small text-screen"):
            yield Static(self.text)
            yield Label("Esc or Enter closes", classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)
