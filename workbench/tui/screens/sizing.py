"""The GPU sizing dialog (`S`): a roofline estimate of an option's tokens/s per GPU, filled on Enter."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from workbench.edits.values import parse_count
from workbench.model import sizing as sz


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

    def _field(self, label: str, widget: Widget) -> Horizontal:
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

    def _inputs(self) -> tuple[dict[str, Any], str]:
        text = self._value("size-model")
        if not text:
            raise sz.SizingError("type the model's size (8B, 70e9) or a name such as llama-3.1-8b")
        kv: int | None = None
        label = ""
        try:
            params = parse_count(text)
        except Exception:
            shape = sz.model_named(text)  # raises SizingError naming the known models
            params, kv, label = shape.params, shape.kv_elements_per_token, shape.name

        def num(wid: str, what: str, blank: float | None = None) -> float:
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
