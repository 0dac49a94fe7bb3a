"""Outside data in the TUI: the price-catalog picker, the GPU sizing dialog and the export chooser.

The actions live in two mixins, so the shared app and view files only list the keys:
- DataViewActions (ScenarioView): `P` price catalog, `S` GPU sizing for the option under the cursor;
- DataAppActions (WorkbenchApp): `E` export chooser, and a palette command for each export.
Every change goes through ScenarioView.commit, so undo works as for any edit.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from workbench.model import prices
from workbench.model import sizing as sz

MAX_LISTED = 100


# --- the price catalog ------------------------------------------------------------------------------------
class PricePicker(ModalScreen[tuple[prices.Entry, bool] | None]):
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
        self.query_one("#price-title", Label).update(Content(f"API price catalog unavailable: {message}"))

    def _loaded(self, entries: tuple[prices.Entry, ...], label: str) -> None:
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


# --- GPU sizing ---------------------------------------------------------------------------------------------
class SizingDialog(ModalScreen[sz.Estimate | None]):
    """Model, precision, GPU and lengths in; fits?, tokens/s per GPU out; Enter fills the option."""

    CSS = """
    SizingDialog .field { height: 1; }
    SizingDialog .field Label { width: 26; }
    SizingDialog .field Input, SizingDialog .field Select { width: 1fr; max-width: 40; }
    SizingDialog > .dialog { max-width: 110; }
    SizingDialog .dialog-title { margin-bottom: 0; }
    SizingDialog #size-result { height: auto; margin-top: 1; }
    SizingDialog #size-result.error { color: $error; }
    SizingDialog .hint { color: $text-muted; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+f", "fill", "Fill", priority=True)]

    def __init__(
        self,
        option_name: str,
        gpu: str,
        input_tokens: float,
        output_tokens: float,
        model: str = "8B",
        precision: str = "fp8",
    ) -> None:
        super().__init__()
        self.option_name = option_name
        self.defaults = {
            "model": model,
            "gpu": gpu,
            "precision": precision,
            "gpus": "1",
            "input": f"{input_tokens:g}",
            "output": f"{max(1.0, output_tokens):g}",
            "batch": "",
        }
        self.estimate: sz.Estimate | None = None

    def _field(self, label: str, widget) -> Horizontal:
        return Horizontal(Label(label), widget, classes="field")

    def compose(self) -> ComposeResult:
        d = self.defaults
        with Vertical(classes="dialog"):
            yield Label(Content(f"GPU sizing (roofline) for {self.option_name!r}"), classes="dialog-title")
            yield self._field(
                "Model (8B or a name)",
                Input(
                    d["model"],
                    id="size-model",
                    compact=True,
                    placeholder="8B, 70e9, " + ", ".join(m.name for m in sz.MODELS),
                ),
            )
            yield self._field(
                "Precision (weights)",
                Select(
                    [(p, p) for p in sz.PRECISION_BYTES],
                    value=d["precision"],
                    allow_blank=False,
                    id="size-precision",
                    compact=True,
                ),
            )
            yield self._field(
                "GPU",
                Select(
                    [(f"{g.name}  ({g.memory_gb:g} GB, ${g.hourly:.2f}/h)", g.name) for g in sz.GPUS],
                    value=d["gpu"],
                    allow_blank=False,
                    id="size-gpu",
                    compact=True,
                ),
            )
            yield self._field("GPUs per replica", Input(d["gpus"], id="size-gpus", compact=True))
            yield self._field("Input tokens / request", Input(d["input"], id="size-input", compact=True))
            yield self._field("Output tokens / request", Input(d["output"], id="size-output", compact=True))
            yield self._field(
                "Batch (blank = most)",
                Input(d["batch"], id="size-batch", compact=True, placeholder="the most that fit"),
            )
            yield Static("", id="size-result")
            yield Static(
                "Enter fills tokens_per_second_per_gpu, marked estimated · Esc cancels", classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one("#size-model", Input).focus()
        self._recompute()

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self._recompute()

    def _value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value.strip()

    def _inputs(self) -> tuple[dict, str]:
        from workbench.model.sizing import parse_count

        text = self._value("size-model")
        if not text:
            raise sz.SizingError("type the model's size (8B, 70e9) or a name such as llama-3.1-8b")
        kv = None
        label = ""
        try:
            params = parse_count(text)
        except Exception:
            shape = sz.model_named(text)  # raises SizingError naming the known models
            params, kv, label = shape.params, shape.kv_elements_per_token, shape.name

        def num(wid: str, what: str, blank=None) -> float | None:
            raw = self._value(wid).replace(",", "")
            if not raw and blank is not None:
                return blank
            try:
                return float(raw)
            except ValueError:
                raise sz.SizingError(f"{what}: {raw!r} is not a number") from None

        batch = num("size-batch", "batch", blank=-1.0)
        gpus = num("size-gpus", "GPUs per replica")
        kwargs = dict(
            params=params,
            precision=str(self.query_one("#size-precision", Select).value),
            gpu=str(self.query_one("#size-gpu", Select).value),
            input_tokens=num("size-input", "input tokens"),
            output_tokens=num("size-output", "output tokens"),
            gpus=int(gpus),
            batch=None if batch == -1.0 else int(batch),
            kv_elements_per_token=kv,
        )
        return kwargs, label

    def _recompute(self) -> None:
        out = self.query_one("#size-result", Static)
        try:
            kwargs, label = self._inputs()
            e = sz.estimate(**kwargs)
        except (sz.SizingError, ValueError, OverflowError) as exc:
            self.estimate = None
            out.update(Text(f"✖ {exc}"))
            out.add_class("error")
            return
        self.estimate = e
        out.set_class(not e.fits, "error")
        kv_note = "" if kwargs["kv_elements_per_token"] is not None else " · KV shape guessed"
        t = Text()
        t.append(
            f"weights {e.weights_gb:,.1f} GB + KV {e.kv_gb_per_sequence:,.3f} GB/seq; "
            f"{e.memory_gb:,.0f} GB usable{kv_note}\n"
        )
        if not e.fits:
            t.append(f"does NOT fit: {e.why}", style="bold")
            out.update(t)
            return
        t.append(
            f"batch {e.batch:,} (max {e.max_batch:,}); decode {e.decode_bound}-bound, {e.step_ms:,.1f} ms/step, "
            f"{e.tokens_per_second_per_user:,.0f} tok/s/user\n"
        )
        t.append(
            f"prefill {e.prefill_share:.0%} of the time · ${e.cost_per_million_output:,.3f} per 1M output "
            f"at ${e.hourly:.2f}/h\n"
        )
        t.append(
            f"→ {e.tokens_per_second_per_gpu:,.0f} tok/s per GPU ({e.requests_per_second_per_gpu:,.1f} req/s)\n",
            style="bold",
        )
        t.append(
            f"bandwidth {sz.BANDWIDTH_EFFICIENCY:.0%}, compute {sz.PREFILL_COMPUTE_EFFICIENCY:.0%} of peak"
            + (f", TP {sz.TENSOR_PARALLEL_EFFICIENCY:.0%}" if e.gpus > 1 else "")
            + "; 1-36% above NVIDIA's figures",
            style="dim",
        )
        out.update(t)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_fill()

    def action_fill(self) -> None:
        if self.estimate is None or not self.estimate.fits:
            self.query_one("#size-result", Static).add_class("error")
            return
        self.dismiss(self.estimate)

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- exports ------------------------------------------------------------------------------------------------
class ExportChooser(ModalScreen[str | None]):
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
            yield Label(Content(f"Export this tab into {self.folder}"), classes="dialog-title")
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


# --- the actions ------------------------------------------------------------------------------------------------
class DataViewActions:
    """ScenarioView actions: `P` price catalog, `S` GPU sizing. Mixed into ScenarioView."""

    def _focused_row_grid(self, table: str):
        from workbench.tui.grids.grid import RowGrid

        w = self.app.focused
        return w if isinstance(w, RowGrid) and w.table == table else None

    def action_price_catalog(self) -> None:
        s = self.doc.scenario
        grid = self._focused_row_grid("api_models")
        target = grid.current_index() if grid is not None else None
        name = s.api_models[target].name if target is not None and target < len(s.api_models) else None

        def chosen(result) -> None:
            if not result:
                self.status("price catalog: nothing changed")
                return
            entry, replace = result
            self.apply_catalog_entry(entry, target if replace else None)

        self.app.push_screen(PricePicker(name), chosen)

    def apply_catalog_entry(self, entry: prices.Entry, index: int | None = None) -> None:
        from workbench.edits import data as data_edits
        from workbench.edits import edit

        row = prices.row_for(entry)
        try:
            new, at, verb = data_edits.set_api_model(self.doc.scenario, row, index)
        except edit.EditError as exc:
            self.status(f"price not applied: {exc}", error=True)
            return
        r = new.api_models[at]
        cached = "" if r.cached_input is None else f" / {prices.price_text(r.cached_input)} cached"
        message = (
            f"{verb} {r.name!r}: {prices.price_text(r.input)} in / {prices.price_text(r.output)} out"
            f"{cached} per 1M · {r.source} · u undoes"
        )
        self.commit(new, message)
        self.action_pane("pricing")

        def land() -> None:
            grid = self.query_one("#grid-api_models")
            grid.focus()
            grid.move_cursor(row=at, column=0)
            self.call_after_refresh(self.status, "✔ " + message)

        self.call_after_refresh(land)

    def _sizing_target(self) -> int | None:
        grid = self._focused_row_grid("options")
        if grid is not None:
            return grid.current_index()
        return self.focus_option if self.doc.scenario.options else None

    def action_size_gpu(self) -> None:
        s = self.doc.scenario
        i = self._sizing_target()
        if i is None or not 0 <= i < len(s.options):
            self.status("GPU sizing: add a self-hosted option first (F4, a)", error=True)
            return
        o = s.options[i]
        if o.serve != "self_hosted":
            self.status(
                f"GPU sizing fills self-hosted options; {o.name!r} is served by an API "
                "(F4, move to a self-hosted row, then S)",
                error=True,
            )
            return
        try:
            gpu = sz.gpu_named(o.gpu).name
        except sz.SizingError:
            gpu = "H100 SXM"
        w = s.workload
        tin = w.input_tokens * (1 - o.prompt_reduction) + (s.rag.context_tokens if o.rag else 0)
        tout = w.output_tokens * (1 - o.output_reduction)

        def chosen(e: sz.Estimate | None) -> None:
            if e is None:
                self.status("GPU sizing: nothing changed")
                return
            from workbench.edits import data as data_edits
            from workbench.edits import edit

            try:
                new = data_edits.set_throughput(self.doc.scenario, i, e.tokens_per_second_per_gpu)
            except edit.EditError as exc:
                self.status(f"not filled: {exc}", error=True)
                return
            self.commit(
                new,
                f"options.{i + 1}: {e.tokens_per_second_per_gpu:,.0f} tok/s per GPU, estimated "
                f"({e.params / 1e9:.3g}B {e.precision}, {e.gpus}x {e.gpu}) · u undoes",
            )

        self.app.push_screen(SizingDialog(o.name, gpu, tin, tout), chosen)


class DataAppActions:
    """WorkbenchApp actions: exports of the active tab into saves/. Mixed into WorkbenchApp."""

    EXPORT_COMMANDS = (
        ("Export summary (Markdown)", "Save this tab's summary as Markdown into saves/", "markdown"),
        ("Export monthly table (CSV)", "Save this tab's monthly table as CSV into saves/", "csv"),
        ("Export screenshot (SVG)", "Save an SVG screenshot of the screen into saves/", "svg"),
    )

    def action_export(self) -> None:
        from workbench.session.exports import shown
        from workbench.store import paths

        if self.active_view() is None:
            self.message("exports work on a scenario tab (< and > switch tabs)", error=True)
            return

        def chosen(kind: str | None) -> None:
            if kind:
                self.call_after_refresh(self.export, kind)
            else:
                self.message("export cancelled")

        self.push_screen(ExportChooser(shown(paths.saves_dir()) + "/"), chosen)

    def export(self, kind: str) -> list:
        """Write the export(s) of the active tab; says where on the status line; returns the paths."""
        from workbench.session import exports
        from workbench.store import paths

        view = self.active_view()
        if view is None:
            self.message("exports work on a scenario tab", error=True)
            return []
        from datetime import datetime

        refusal = self.refusal(paths.saves_dir())
        if refusal:  # exports always go into saves/; the check is here so that no write skips it
            self.message(refusal, error=True)
            return []
        kinds = ("markdown", "csv", "svg") if kind == "all" else (kind,)
        title = view.doc.title
        when = datetime.now()
        written = []
        try:
            a = view.doc.analysis()
            for k in kinds:
                if k == "markdown":
                    written.append(exports.write_summary(a, title, when=when))
                elif k == "csv":
                    written.append(exports.write_monthly(a, title, when=when))
                elif k == "svg":
                    target = exports.export_path(title, "screen", "svg", when)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    from pathlib import Path

                    written.append(Path(self.save_screenshot(filename=target.name, path=str(target.parent))))
        except OSError as exc:
            self.message(f"export failed: {exc.strerror or exc} ({paths.saves_dir()})", error=True)
            return written
        what = {"markdown": "summary", "csv": "monthly table", "svg": "screenshot"}
        if len(written) == 1:
            self.message(f"✔ {what[kinds[0]]} exported to {exports.shown(written[0])}")
        else:
            folder = exports.shown(written[0].parent)
            stems = [p.name for p in written]
            self.message(
                f"✔ summary, monthly table, screenshot in {folder}/: "
                + stems[0].replace("-summary-", "-{summary,monthly,screen}-").rsplit(".", 1)[0]
                + ".*"
            )
        return written

    def data_system_commands(self):
        view = self.active_view()
        if view is None:
            return
        for title, help_text, kind in self.EXPORT_COMMANDS:
            yield SystemCommand(title, help_text, lambda k=kind: self.export(k))
