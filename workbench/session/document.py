"""One open scenario: its file, its undo history and whether it is saved. No Textual here."""

from __future__ import annotations

from pathlib import Path

from workbench.model.report import Analysis, analyze
from workbench.model.scenario import Scenario
from workbench.store import files, paths


class Document:
    """A scenario being edited. History is a list of scenarios, so undo and redo are index moves."""

    def __init__(
        self,
        scenario: Scenario,
        path: Path | None = None,
        title: str | None = None,
        source: str | None = None,
    ):
        self.path = Path(path) if path is not None else None
        # The text the scenario was read from, or last written as: the layout a save keeps (comments,
        # order) and what tells whether the file changed on disk since. Read now when not given.
        self.source: str | None = source if source is not None else _read_quietly(self.path)
        self.from_preset = self.path is not None and paths.is_preset(self.path)
        self.history: list[Scenario] = [scenario]
        self.pos = 0
        self.saved: Scenario | None = scenario if path is not None else None
        self.title = title or (self.path.stem if self.path else scenario.name)
        self.recovery_key: str | None = (
            None  # names this tab's copy in the recovery folder (workbench.session.recovery)
        )
        self.note = ""  # said on the tab's status line when it opens (why a restored tab has no file)
        self._analysis: Analysis | None = None
        self._analysis_of: Scenario | None = None

    @property
    def scenario(self) -> Scenario:
        return self.history[self.pos]

    @property
    def dirty(self) -> bool:
        return self.saved is None or self.scenario != self.saved

    def analysis(self) -> Analysis:
        """The computed results of the current scenario (cached until the next edit)."""
        if self._analysis is None or self._analysis_of is not self.scenario:
            self._analysis = analyze(self.scenario)
            self._analysis_of = self.scenario
        return self._analysis

    def push(self, scenario: Scenario) -> bool:
        """Record an accepted edit; returns False when nothing changed."""
        if scenario == self.scenario:
            return False
        del self.history[self.pos + 1 :]
        self.history.append(scenario)
        self.pos += 1
        return True

    def undo(self) -> bool:
        if self.pos == 0:
            return False
        self.pos -= 1
        return True

    def redo(self) -> bool:
        if self.pos + 1 >= len(self.history):
            return False
        self.pos += 1
        return True

    def save_target(self) -> Path:
        """Where ctrl+s writes: the file itself, or saves/<name>.toml for a preset (never overwritten)."""
        if self.path is not None and not self.from_preset:
            return self.path
        stem = self.path.stem if self.path is not None else _slug(self.title)
        return paths.saves_dir() / f"{stem}.toml"

    def save(self, target: Path | None = None) -> Path:
        """Atomic save; on success the tab points at the saved file. Raises files.ScenarioError."""
        target = Path(target) if target is not None else self.save_target()
        if paths.is_preset(target):
            raise files.ScenarioError(
                f"{target}: presets are templates and are never overwritten (a path under saves/)"
            )
        if target.parent == paths.saves_dir():
            paths.make_saves_dir()  # created on the first save into it, not when merely looked up
        # The text the tab was read from is the layout the file keeps: its comments, blank lines and order.
        self.source = files.save(self.scenario, target, base=self.source)
        self.path = target
        self.from_preset = False
        self.saved = self.scenario
        return target

    def copy(self, title: str) -> Document:
        doc = Document(self.scenario, None, title)
        doc.source = self.source  # a copy keeps the layout of the file it came from
        return doc

    @classmethod
    def open(cls, path: Path, regular_only: bool = True) -> Document:
        """The scenario file at `path`, read once (raises files.ScenarioError)."""
        scenario, text = files.load_with_text(path, regular_only)
        return cls(scenario, path, source=text)


def _read_quietly(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return files.read_text(path, regular_only=True)
    except files.ScenarioError:
        return None


def _slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text).strip("-")
    while "--" in out:
        out = out.replace("--", "-")
    return out or "scenario"
