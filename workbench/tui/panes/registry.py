"""The panes of a scenario tab, declared once.

Each `Pane` says its id, tab title, keys, help text, whether it works only while on screen, and how its
widgets are built. The two tab strips of a scenario tab, the F-keys and letter keys (with binding ids),
the `?` help screen and the command palette are generated from `PANES`. Adding a pane is one entry here
(and its widget); nothing else lists the panes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Label, Static

from workbench.tui.grids.grid import FieldGrid, RowGrid, sections_for

if TYPE_CHECKING:
    from workbench.model.report import Analysis

Half = Literal["inputs", "outputs"]


@dataclass(frozen=True)
class Pane:
    """One pane of a scenario tab.

    `fkey` is the pane's function key (a priority binding: it works wherever the focus is, editor
    included); `letter`, if any, is a second key that works outside text fields. `keys_of`: the widgets
    whose own bindings the `?` screen lists under this pane, named ("module:Class") in `keys_from` so that
    a pane's module is imported only when the pane is built or its keys are listed (the first frame
    shows two panes: the others' imports wait). `hint`: what the status line says when the
    pane comes to the front (the view words the panes whose line depends on the figures).
    """

    id: str
    title: str
    half: Half
    fkey: str
    help: str
    build: Callable[[], Iterable[Widget]]
    letter: str | None = None
    letter_label: str = ""
    runs_when_shown: bool = False
    keys_from: tuple[str, ...] = ()
    hint: str = ""

    @property
    def keys_of(self) -> tuple[type[Widget], ...]:
        out = []
        for name in self.keys_from:
            module, cls = name.split(":")
            out.append(getattr(importlib.import_module(module), cls))
        return tuple(out)

    @property
    def binding_id(self) -> str:
        return f"pane.{self.id}"

    @property
    def keys_text(self) -> str:
        """The keys as the `?` screen and the palette show them: "f9 T"."""
        return self.fkey + (f" {self.letter}" if self.letter else "")

    @property
    def command_title(self) -> str:
        """The palette's name for the pane, with the letter key's own name: "Sensitivity (Tornado)"."""
        return self.title + (f" ({self.letter_label})" if self.letter_label else "")

    def bindings(self) -> list[Binding]:
        """The pane's keys, each with an id (`pane.<id>`, `pane.<id>.letter`) for the palette and keymaps."""
        out = [
            Binding(
                self.fkey,
                f"pane('{self.id}')",
                self.title,
                show=False,
                priority=True,
                tooltip=self.help,
                id=self.binding_id,
            )
        ]
        if self.letter:
            out.append(
                Binding(
                    self.letter,
                    f"pane('{self.id}')",
                    self.letter_label or self.title,
                    show=False,
                    tooltip=f"{self.title} pane (as {self.fkey.upper()})",
                    id=f"{self.binding_id}.letter",
                )
            )
        return out


# --- how each pane is built ----------------------------------------------------------------------------
def _pricing() -> Iterable[Widget]:
    yield Label("API models (price per 1M tokens)", classes="grid-title")
    yield RowGrid("api_models", id="grid-api_models")
    yield Label("GPUs (price per GPU-hour)", classes="grid-title")
    yield RowGrid("gpus", id="grid-gpus")


def _workload() -> Iterable[Widget]:
    yield FieldGrid(
        sections_for([None, "workload", "market", "requirements"], ("name", "currency", "horizon_months")),
        id="grid-workload",
    )


def _overheads() -> Iterable[Widget]:
    yield FieldGrid(sections_for(["overheads", "training", "rag", "pretraining"]), id="grid-overheads")


def _options() -> Iterable[Widget]:
    yield RowGrid("options", id="grid-options")


def _uncertainty() -> Iterable[Widget]:
    from workbench.tui.panes.analysis import UncertaintyGrid

    yield Label(
        "Ranges for the Simulation pane: type Low and High · space adds ±25% · an empty Low removes",
        classes="grid-title",
    )
    yield UncertaintyGrid(id="grid-uncertainty")


def _results() -> Iterable[Widget]:
    from workbench.tui.panes.tables import BreakdownTable, ResultsTable

    yield ResultsTable(id="results-table")
    yield BreakdownTable(id="breakdown")


def _ladder() -> Iterable[Widget]:
    from workbench.tui.panes.tables import LadderView

    yield LadderView(id="ladder-view")


def _plots() -> Iterable[Widget]:
    from workbench.tui.panes.plots import PlotsPane

    yield PlotsPane(id="plots-pane")


def _risks() -> Iterable[Widget]:
    from workbench.tui.panes.tables import RiskTable

    yield RiskTable(id="risk-table")
    yield Static("", id="risk-detail")


def _sensitivity() -> Iterable[Widget]:
    from workbench.tui.panes.analysis import SensitivityPane

    yield SensitivityPane(id="sensitivity-pane")


def _simulation() -> Iterable[Widget]:
    from workbench.tui.panes.analysis import SimulationPane

    yield SimulationPane(id="simulation-pane")


def _aids() -> Iterable[Widget]:
    from workbench.tui.panes.aids import AidsPane

    yield AidsPane(id="aids-pane")


# In F-key order; each half's tab strip shows its panes in this order, the first one in front.
PANES: tuple[Pane, ...] = (
    # Letters are capitals (shift+letter): the lower-case ones edit and move in the grids and panes.
    Pane("pricing", "Pricing", "inputs", "f1", "Pricing grid (API models, GPUs)", _pricing, letter="A"),
    Pane("workload", "Workload", "inputs", "f2", "Workload, market, requirements", _workload, letter="W"),
    Pane(
        "overheads",
        "Overheads",
        "inputs",
        "f3",
        "Overheads, training, RAG, pre-training",
        _overheads,
        letter="H",
    ),
    Pane("options", "Options", "inputs", "f4", "Options grid", _options, letter="O"),
    Pane("results", "Results", "outputs", "f5", "Results pane", _results, letter="R"),
    Pane(
        "ladder",
        "Ladder",
        "outputs",
        "f6",
        "Decision ladder pane",
        _ladder,
        letter="L",
        runs_when_shown=True,
    ),
    Pane(
        "plots",
        "Plots",
        "outputs",
        "f7",
        "Plots pane",
        _plots,
        letter="G",
        letter_label="Graphs",
        keys_from=("workbench.tui.panes.plots:PlotsPane",),
        hint="[ ] switch plots · l log/linear axis · ◆ breakeven, ▲ go-live month",
    ),
    Pane(
        "risks",
        "Risks",
        "outputs",
        "f8",
        "Risk checklist pane",
        _risks,
        letter="K",
        keys_from=("workbench.tui.panes.tables:RiskTable",),
    ),
    Pane(
        "sensitivity",
        "Sensitivity",
        "outputs",
        "f9",
        "Sensitivity (tornado) pane: which inputs decide it",
        _sensitivity,
        letter="T",
        letter_label="Tornado",
        runs_when_shown=True,
        keys_from=("workbench.tui.panes.analysis:SensitivityPane",),
        hint="Tornado: each input moved down/up; [ ] option A · { } option B · + - step · R = a range",
    ),
    Pane(
        "simulation",
        "Simulation",
        "outputs",
        "f10",
        "Simulation pane: Monte Carlo over the uncertainty ranges",
        _simulation,
        letter="M",
        letter_label="Monte Carlo",
        runs_when_shown=True,
        keys_from=("workbench.tui.panes.analysis:SimulationPane",),
        hint="Monte Carlo over the Uncertainty ranges: + - draws · n new seed · F11/U edits the ranges",
    ),
    Pane(
        "uncertainty",
        "Uncertainty",
        "inputs",
        "f11",
        "Uncertainty grid: low/high ranges of inputs",
        _uncertainty,
        letter="U",
    ),
    Pane(
        "aids",
        "Aids",
        "outputs",
        "f12",
        "Decision aids pane: the guides' decision matrix and radar of qualities, on this scenario",
        _aids,
        letter="B",
        letter_label="Build-or-buy aids",
        runs_when_shown=True,
        keys_from=("workbench.tui.panes.aids:AidsPane",),
        hint="The guides' decision matrix and radar: [ and ] switch between them",
    ),
)

BY_ID: dict[str, Pane] = {p.id: p for p in PANES}


def in_half(half: Half) -> tuple[Pane, ...]:
    return tuple(p for p in PANES if p.half == half)


INPUT_PANES = tuple(p.id for p in in_half("inputs"))
OUTPUT_PANES = tuple(p.id for p in in_half("outputs"))


def bindings() -> list[Binding]:
    """Every pane key, in F-key order, then the letters (the order the `?` screen lists them)."""
    keys = [b for p in PANES for b in p.bindings()]
    return [b for b in keys if b.priority] + [b for b in keys if not b.priority]


W = TypeVar("W", bound=Widget)


class Lookup(Protocol):
    def __call__(self, cls: type[W], /) -> W: ...


def feed(one: Lookup, a: Analysis, focus: int = 0, panes: Collection[str] = OUTPUT_PANES) -> None:
    """Show `a` in the result panes among `panes` (those built: a scenario tab builds its hidden panes
    after the first frame, or when first shown, and feeds each as it is built): `one(cls)` finds a pane's
    widget (ScenarioView.refresh_all passes its remembered lookup, a split half its own query_one). One
    list, so a new pane is fed in both."""
    if "results" in panes:
        from workbench.tui.panes.tables import BreakdownTable, ResultsTable

        one(ResultsTable).show(a)
        one(BreakdownTable).show(a, focus)
    if "ladder" in panes:
        from workbench.tui.panes.tables import LadderView

        one(LadderView).show(a)
    if "plots" in panes:
        from workbench.tui.panes.plots import PlotsPane

        one(PlotsPane).show(a, focus)
    if "risks" in panes:
        from workbench.tui.panes.tables import RiskTable

        one(RiskTable).show(a)
    if "sensitivity" in panes:
        from workbench.tui.panes.analysis import SensitivityPane

        one(SensitivityPane).show(a)
    if "simulation" in panes:
        from workbench.tui.panes.analysis import SimulationPane

        one(SimulationPane).show(a)
    if "aids" in panes:
        from workbench.tui.panes.aids import AidsPane

        one(AidsPane).show(a, focus)
