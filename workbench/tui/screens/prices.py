"""The price-catalog picker (`P`): search the offline genai-prices snapshot and pick a model's prices."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from workbench.model import prices
from workbench.tui.textual_fixes import Dialog

MAX_LISTED = 100


class PricePicker(Dialog[tuple[prices.Entry, bool] | None]):
    """Search the offline catalog; Enter adds (or updates by name), ctrl+r updates the row under the cursor."""

    CSS = """
    PricePicker > .dialog { height: 90%; max-width: 110; }
    PricePicker .dialog-title { margin-bottom: 0; }
    PricePicker #price-list { height: 1fr; max-height: 100%; border: none; padding: 0; }
    PricePicker #price-head { color: $text-muted; height: 1; }
    PricePicker #price-detail { height: auto; max-height: 3; }
    PricePicker .hint { color: $text-muted; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", show=False, priority=True),
        Binding("up", "move(-1)", show=False, priority=True),
        Binding("pagedown", "move(10)", show=False, priority=True),
        Binding("pageup", "move(-10)", show=False, priority=True),
        Binding("ctrl+r", "choose(True)", "Replace row", priority=True),
    ]

    def __init__(self, target_name: str | None = None, query: str = "") -> None:
        super().__init__()
        self.target_name = target_name
        self.query_text = query
        self._entries: tuple[prices.Entry, ...] = ()
        self._hits: list[prices.Entry] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                "API price catalog: loading the offline snapshot…", id="price-title", classes="dialog-title"
            )
            yield Input(
                value=self.query_text,
                placeholder="provider or model, e.g. claude, gpt 4o, mistral",
                id="price-query",
                compact=True,
            )
            yield Static(
                Text(f"{'provider':<10} {'model':<28} {'input':>8} {'output':>8} {'cached':>8}  per 1M"),
                id="price-head",
            )
            yield OptionList(id="price-list")
            yield Static("", id="price-detail")
            replace = f" · ctrl+r: these prices onto {self.target_name!r}" if self.target_name else ""
            yield Static(
                f"↑↓ · Enter adds it (or updates the row of that name){replace} · Esc · "
                f"USD, in force {prices.price_day()}",
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#price-query", Input).focus()
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        try:
            entries = prices.catalog()
            label = prices.source_label()
        except prices.CatalogError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._loaded, entries, label)

    def _failed(self, message: str) -> None:
        if self.closed:  # closed while the catalog loaded: nothing left to fill
            return
        self.query_one("#price-title", Label).update(Content(f"API price catalog unavailable: {message}"))

    def _loaded(self, entries: tuple[prices.Entry, ...], label: str) -> None:
        if self.closed:  # closed while the catalog loaded (keys typed fast): nothing left to fill
            return
        self._entries = entries
        self.query_one("#price-title", Label).update(f"Price catalog: {label} (offline snapshot)")
        self._refilter()

    @on(Input.Changed, "#price-query")
    def _changed(self) -> None:
        if self._entries:
            self._refilter()

    def _refilter(self) -> None:
        query = self.query_one("#price-query", Input).value
        self._hits = prices.search(query, self._entries)
        ol = self.query_one("#price-list", OptionList)
        ol.clear_options()
        shown = self._hits[:MAX_LISTED]
        ol.add_options([Option(self._line(e), id=str(i)) for i, e in enumerate(shown)])
        if shown:
            ol.highlighted = 0
        self._detail()

    @staticmethod
    def _line(e: prices.Entry) -> Text:
        t = Text()
        t.append(f"{e.provider_name[:10]:<10} ", style="dim")
        name = e.model_name + (" +" if e.tier_note else "") + (" (old)" if e.deprecated else "")
        t.append(f"{name[:28]:<28} ", style="bold" if e.native and not e.deprecated else "")
        t.append(
            f"{prices.price_text(e.input):>8} {prices.price_text(e.output):>8} "
            f"{prices.price_text(e.cached_input):>8}"
        )
        return t

    def _current(self) -> prices.Entry | None:
        ol = self.query_one("#price-list", OptionList)
        i = ol.highlighted
        return self._hits[i] if i is not None and 0 <= i < len(self._hits[:MAX_LISTED]) else None

    @on(OptionList.OptionHighlighted, "#price-list")
    def _highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        d = self.query_one("#price-detail", Static)
        e = self._current()
        if e is None:
            query = self.query_one("#price-query", Input).value.strip()
            d.update(
                Text(f"no model matches {query!r}: try fewer words" if self._entries else "", style="bold")
            )
            return
        more = len(self._hits) - MAX_LISTED
        t = Text()
        t.append(f"→ [[api_models]] {e.row_name!r}: ", style="bold")
        cached = "absent (= input)" if e.cached_input is None else prices.price_text(e.cached_input)
        t.append(f"input {prices.price_text(e.input)}, output {prices.price_text(e.output)}, cached {cached}")
        notes = []
        if e.tier_note:
            notes.append(f"tiered: base tier shown ({e.tier_note})")
        if e.deprecated:
            notes.append("deprecated by the provider")
        if e.extras:
            notes.append("not modelled: " + ", ".join(e.extras))
        if more > 0:
            notes.append(f"{more} more matches: type more to narrow")
        if notes:
            t.append("\n" + " · ".join(notes), style="dim")
        d.update(t)

    def action_move(self, step: int) -> None:
        ol = self.query_one("#price-list", OptionList)
        n = ol.option_count
        if n:
            cur = ol.highlighted if ol.highlighted is not None else 0
            ol.highlighted = max(0, min(n - 1, cur + step))

    @on(Input.Submitted, "#price-query")
    def _submitted(self) -> None:
        self.action_choose(False)

    @on(OptionList.OptionSelected, "#price-list")
    def _selected(self) -> None:
        self.action_choose(False)

    def action_choose(self, replace: bool = False) -> None:
        e = self._current()
        if e is None:
            return
        if replace and not self.target_name:
            self.query_one("#price-detail", Static).update(
                Text("ctrl+r needs a row: open the catalog from the API models grid (F1)", style="bold")
            )
            return
        self.dismiss((e, replace))

    def action_cancel(self) -> None:
        self.dismiss(None)
