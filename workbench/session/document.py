"""One open scenario: its file, its undo history and whether it is saved. No Textual here."""

from __future__ import annotations

import os
from pathlib import Path

from workbench.model.report import Analysis, analyze
from workbench.model.scenario import Scenario
from workbench.store import files, paths

UNCHANGED, CHANGED, DELETED, UNREADABLE = "unchanged", "changed", "deleted", "unreadable"
"""Document.disk_state's answers."""


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
        # The file's identity (path, device, inode, size, mtime) when disk_state last looked, the source
        # it compared with, and what it found: a quick look that finds both unmoved reads nothing.
        self._disk_look: tuple[tuple, str | None, str] | None = None
        self.disk_told: tuple | None = None  # (state, disk_identity) the user was last told about (TUI)

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

    # --- the file on disk, changed since it was read? -----------------------------------------------
    # A save must not write over someone else's change in silence (another editor, another workbench).

    def disk_state(self, quick: bool = False) -> str:
        """UNCHANGED, CHANGED, DELETED or UNREADABLE: the file ctrl+s writes, compared with what this
        tab read or last wrote there (`source`, byte for byte).

        A tab with a file of its own compares that file. A preset tab (or a new one) never read its
        target under saves/: a file there was written by someone else, so it counts as CHANGED. `quick`
        (focus and tab checks): stat first, and read and hash only when the file's stat moved since the
        last look."""
        if self.path is None or self.from_preset:
            return CHANGED if os.path.lexists(self.save_target()) else UNCHANGED
        path = self.path
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return DELETED
        except (OSError, ValueError):
            return UNREADABLE
        look = self._disk_look
        if quick and look is not None and look[0] == _identity(path, st) and look[1] is self.source:
            return look[2]
        try:
            st, raw = files.read_regular(path, files.MAX_FILE_BYTES)
        except FileNotFoundError:
            return DELETED
        except OSError:
            return UNREADABLE
        raw = raw.removeprefix(files.BOM.encode("utf-8"))
        if self.source is None:
            state = CHANGED  # a file is there that this tab never read
        else:
            state = UNCHANGED if raw == self.source.encode("utf-8") else CHANGED
        self._disk_look = (_identity(path, st), self.source, state)
        return state

    def disk_changed(self) -> bool:
        """Whether ctrl+s would write over a change made on disk since the tab read or wrote its file."""
        return self.disk_state() == CHANGED

    def disk_identity(self) -> tuple | None:
        """Which version of the file the last disk_state look saw (to tell a user once per version)."""
        return self._disk_look[0] if self._disk_look is not None else None

    def reload(self) -> None:
        """Take the tab's file as it is on disk now: a new step of the history (undo goes back to what the
        tab held) that counts as saved. Raises files.ScenarioError when it cannot be read or is no
        scenario; the tab is then unchanged."""
        if self.path is None or self.from_preset:
            raise files.ScenarioError(f"{self.title}: no file of its own to reload")
        scenario, text = files.load_with_text(self.path)
        self.push(scenario)
        self.saved = self.scenario
        self.source = text
        self._disk_look = None

    def copy(self, title: str) -> Document:
        doc = Document(self.scenario, None, title)
        doc.source = self.source  # a copy keeps the layout of the file it came from
        return doc

    @classmethod
    def open(cls, path: Path) -> Document:
        """The scenario file at `path`, read once (raises files.ScenarioError)."""
        scenario, text = files.load_with_text(path)
        return cls(scenario, path, source=text)


def _identity(path: Path, st: os.stat_result) -> tuple:
    return (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _read_quietly(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return files.read_text(path)
    except files.ScenarioError:
        return None


def _slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text).strip("-")
    while "--" in out:
        out = out.replace("--", "-")
    return out or "scenario"
