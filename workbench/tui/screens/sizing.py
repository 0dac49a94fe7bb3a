"""The GPU sizing dialog (`S`): a roofline estimate of an option's tokens/s per GPU and latency, filled on
Enter together with the record of how it was sized (the option's throughput_source)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from workbench.edits.values import parse_count
from workbench.model import published
from workbench.model import sizing as sz
from workbench.tui.textual_fixes import Dialog


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _size(params: float) -> str:
    """A model size as people write it (and parse_count reads back): 8B, 70.6B, 500M."""
    return f"{params / 1e9:g}B" if params >= 1e9 else f"{params / 1e6:g}M"


def _known_gpu(name: str, fallback: str) -> str:
    """The table's name for a GPU a record names (a Select takes only its own values)."""
    try:
        return sz.gpu_named(name).name
    except sz.SizingError:
        return fallback


class SizingDialog(Dialog[tuple[sz.Sizing, sz.Estimate] | None]):
    """Model, precision, engine, GPU, lengths and latency limits in; fits?, batch, latency and tokens/s
    per GPU out; Enter fills the option."""

    CSS = """
    SizingDialog > .dialog { max-width: 110; height: 90%; }
    SizingDialog .dialog-title { margin-bottom: 0; }
    SizingDialog #size-fields {
        layout: grid; grid-size: 2; grid-columns: 27 1fr; grid-rows: 1; height: 1fr; min-height: 3;
    }
    SizingDialog.-wide > .dialog { height: auto; }
    SizingDialog.-wide #size-fields { grid-size: 4; grid-columns: 26 1fr 26 1fr; grid-gutter: 0 1; height: auto; }
    SizingDialog #size-fields Input, SizingDialog #size-fields Select { width: 1fr; max-width: 40; }
    SizingDialog #size-result { height: auto; min-height: 6; margin-top: 1; }
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
        start: sz.Sizing | None = None,
    ) -> None:
        super().__init__()
        self.option_name = option_name
        self.workload_tokens = (float(round(input_tokens)), float(round(max(1.0, output_tokens))))
        self.start = start  # the sizing the option's throughput_source records: its inputs come back
        if start is None:
            self.defaults = {
                "model": model,
                "gpu": gpu,
                "precision": precision,
                "kv": None,
                "engine": sz.ENGINES[0],
                "layout": sz.LAYOUTS[0],
                "gpus": "1",
                "input": f"{input_tokens:.0f}",  # the engine's mean: a whole number reads better
                "output": f"{max(1.0, output_tokens):.0f}",
                "batch": "",
                "ttft": "",
                "tpot": "",
                "measured": "",
            }
        else:
            self.defaults = {
                "model": start.model or _size(start.params),
                "gpu": _known_gpu(start.gpu, gpu),
                "precision": start.precision if start.precision in sz.PRECISION_BYTES else precision,
                "kv": start.kv_precision,
                "engine": start.engine if start.engine in sz.ENGINES else sz.ENGINES[0],
                "layout": start.layout if start.layout in sz.LAYOUTS else sz.LAYOUTS[0],
                "gpus": str(start.gpus),
                "input": f"{start.input_tokens:g}",
                "output": f"{start.output_tokens:g}",
                "batch": "" if start.batch is None else str(start.batch),
                "ttft": _num(start.max_ttft_ms),
                "tpot": _num(start.max_tpot_ms),
                "measured": _num(start.measured),
            }
        self.sizing: sz.Sizing | None = None
        self.estimate: sz.Estimate | None = None

    def compose(self) -> ComposeResult:
        d = self.defaults

        def field(label: str, widget: Widget) -> ComposeResult:
            yield Label(label)
            yield widget

        def entry(wid: str, placeholder: str = "") -> Input:
            return Input(str(d[wid]), id=f"size-{wid}", compact=True, placeholder=placeholder)

        with Vertical(classes="dialog"):
            yield Label(Content(f"GPU sizing (roofline) for {self.option_name!r}"), classes="dialog-title")
            with VerticalScroll(id="size-fields"):
                yield from field(
                    "Model (8B or a name)",
                    entry("model", "8B, 70e9, " + ", ".join(m.name for m in sz.MODELS)),
                )
                yield from field(
                    "Precision (weights)",
                    Select(
                        [(p, p) for p in sz.PRECISION_BYTES],
                        value=d["precision"],
                        allow_blank=False,
                        id="size-precision",
                        compact=True,
                    ),
                )
                yield from field(
                    "KV-cache precision",
                    Select(
                        [(p, p) for p in sz.PRECISION_BYTES],
                        value=d["kv"] if d["kv"] in sz.PRECISION_BYTES else Select.NULL,
                        prompt="the engine's default",
                        id="size-kv",
                        compact=True,
                    ),
                )
                yield from field(
                    "Engine",
                    Select(
                        [(e, e) for e in sz.ENGINES],
                        value=d["engine"],
                        allow_blank=False,
                        id="size-engine",
                        compact=True,
                    ),
                )
                yield from field(
                    "GPU",
                    Select(
                        [(f"{g.name} {g.memory_gb:g} GB ${g.hourly:.2f}/h", g.name) for g in sz.GPUS],
                        value=d["gpu"],
                        allow_blank=False,
                        id="size-gpu",
                        compact=True,
                    ),
                )
                yield from field("GPUs per replica", entry("gpus"))
                yield from field(
                    "Experts (MoE, 2+ GPUs)",
                    Select(
                        [
                            ("tensor-parallel", "tp"),
                            ("attention DP, experts TP", "dp"),
                            ("attention DP + expert parallel", "ep"),
                        ],
                        value=d["layout"],
                        allow_blank=False,
                        id="size-layout",
                        compact=True,
                    ),
                )
                yield from field("Input tokens / request", entry("input"))
                yield from field("Output tokens / request", entry("output"))
                yield from field("Batch (blank: the most)", entry("batch", "the most that fit"))
                yield from field("Max TTFT ms (blank: none)", entry("ttft", "no limit"))
                yield from field("Max TPOT ms (blank: none)", entry("tpot", "no limit"))
                yield from field("Measured tok/s (replica)", entry("measured", "none: not calibrated"))
            yield Static("", id="size-result")
            yield Static(self._hint(), classes="hint")

    def _hint(self) -> str:
        lengths = ""
        if self.start is not None:
            tin, tout = self.workload_tokens
            if (tin, tout) != (float(self.start.input_tokens), float(self.start.output_tokens)):
                lengths = f" · as last sized; the workload now says {tin:,.0f} in / {tout:,.0f} out"
        return f"Enter fills tok/s, latency_ms, throughput_source · Esc cancels{lengths}"

    def on_mount(self) -> None:
        self.query_one("#size-model", Input).focus()
        self._recompute()

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self._recompute()

    def _value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value.strip()

    def _select(self, wid: str) -> str | None:
        value = self.query_one(f"#{wid}", Select).value
        return None if value is Select.NULL else str(value)

    def _inputs(self) -> sz.Sizing:
        text = self._value("size-model")
        if not text:
            raise sz.SizingError("type the model's size (8B, 70e9) or a name such as llama-3.1-8b")
        shape: sz.ModelShape | None = None
        params = 0.0
        try:
            params = parse_count(text)
        except Exception:
            shape = sz.model_named(text)  # raises SizingError naming the known models

        def num(wid: str, what: str) -> float | None:
            raw = self._value(wid).replace(",", "")
            if not raw:
                return None
            try:
                value = float(raw)
            except ValueError:
                raise sz.SizingError(f"{what}: {raw!r} is not a number") from None
            if not value > 0:
                raise sz.SizingError(f"{what}: {raw} must be above 0 (blank = none)")
            return value

        def needed(wid: str, what: str) -> float:
            value = num(wid, what)
            if value is None:
                raise sz.SizingError(f"{what}: type a number")
            return value

        batch = num("size-batch", "batch")
        kwargs: dict[str, Any] = dict(
            model=shape.name if shape else "",
            params=0.0 if shape else params,  # a named model: its own size and shape
            precision=self._select("size-precision") or "fp8",
            kv_precision=self._select("size-kv"),
            engine=self._select("size-engine") or sz.ENGINES[0],
            layout=self._select("size-layout") or sz.LAYOUTS[0],
            gpu=self._select("size-gpu") or sz.GPUS[0].name,
            gpus=int(needed("size-gpus", "GPUs per replica")),
            input_tokens=int(num("size-input", "input tokens") or 0),
            output_tokens=int(needed("size-output", "output tokens")),
            batch=None if batch is None else int(batch),
            max_ttft_ms=num("size-ttft", "max TTFT ms"),
            max_tpot_ms=num("size-tpot", "max TPOT ms"),
            measured=num("size-measured", "measured tok/s"),
        )
        return sz.Sizing(**kwargs)

    def _recompute(self) -> None:
        out = self.query_one("#size-result", Static)
        try:
            sizing = self._inputs()
            e = sizing.estimate()
        except (sz.SizingError, ValueError, OverflowError) as exc:
            self.sizing, self.estimate = None, None
            out.update(Text(f"✖ {exc}"))
            out.add_class("error")
            return
        self.sizing, self.estimate = sizing, e
        out.set_class(not e.fits, "error")
        out.update(self._result(sizing, e))
        self.call_after_refresh(self._focus_visible)

    def _focus_visible(self) -> None:
        """A longer result takes rows from the fields: keep the field being typed in on screen."""
        if self.focused is not None:
            self.focused.scroll_visible(animate=False)

    @staticmethod
    def _result(sizing: sz.Sizing, e: sz.Estimate) -> Text:
        t = Text()
        moe = "" if e.active_params is None else f" ({e.active_params / 1e9:.3g}B active)"
        t.append(
            f"weights {e.weights_gb:,.1f} GB{moe} + KV {e.kv_gb_per_sequence:,.3f} GB/seq ({e.kv_precision}, "
            f"{e.engine}); {e.memory_gb:,.0f} GB usable\n"
        )
        if not e.fits:
            t.append(f"does NOT fit: {e.why}", style="bold")
            return t
        limits = sizing.limits_text()
        t.append(f"fits: batch {e.batch:,} of the {e.max_batch:,} that fit")
        if not sizing.meets(e):
            t.append(f"\n✖ {e.limit_note or 'no batch meets the limits'}: raise or clear them", style="bold")
        elif limits:
            t.append(", the largest with " + limits)
        t.append("\n")
        if e.queue_note:
            t.append(e.queue_note + "\n", style="bold")
        t.append(
            f"TTFT {e.ttft_ms:,.0f} ms · TPOT {e.tpot_ms:,.1f} ms · whole response {e.latency_ms / 1000:,.2f} s\n"
        )
        cost = (
            "" if e.cost_per_million_output is None else f" · ${e.cost_per_million_output:,.3f} per 1M output"
        )
        t.append(
            f"→ {e.tokens_per_second_per_gpu:,.0f} tok/s per GPU{cost} (${e.hourly:.2f}/h)\n", style="bold"
        )
        if sizing.measured:
            t.append(
                f"calibrated x{e.calibration:.2f} to the measured {sizing.measured:,.0f} tok/s", style="dim"
            )
        else:
            t.append(f"calibration x{e.calibration:.2f} (type a measured tok/s to calibrate)", style="dim")
            caution = published.moe_caution(e.batch, e.active_params, e.params)
            if caution:
                t.append("\n" + caution, style="bold")
        return t

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_fill()

    def action_fill(self) -> None:
        e = self.estimate
        if self.sizing is None or e is None or not e.fits or not self.sizing.meets(e):
            self.query_one("#size-result", Static).add_class("error")
            return
        self.dismiss((self.sizing, e))

    def action_cancel(self) -> None:
        self.dismiss(None)
