"""Recovery copies: unsaved edits survive a crash or a dropped SSH session. No Textual here.

While a tab has unsaved edits, the app writes a copy of its scenario (atomically, a few seconds after the
last edit) to `saves/.recovery/<tab>-<id>.toml`. The copy is an ordinary scenario file that starts with
one comment line recording where the tab came from:

    # workbench-recovery: {"original": "/home/me/saves/loan.toml", "title": "loan", "pid": 4242}

A clean save, an undo back to the file, or an explicit discard removes the copy; a crash leaves it, and
the next start offers to restore it (tests/test_recovery.py).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from workbench import files, paths
from workbench.document import Document, _slug
from workbench.model.scenario import Scenario

DELAY = 2.0
"""Seconds after the last edit before the copy is written (each edit restarts the wait)."""

FOLDER = ".recovery"
MARK = "# workbench-recovery: "


def folder() -> Path:
    """Next to the user's saves, so it lives on the same disk and under the same permissions."""
    return paths.saves_dir() / FOLDER


@dataclass
class Copy:
    """One recovery copy found on disk."""

    file: Path
    original: Path | None  # the file the tab was opened from (None: a new, never-saved tab)
    title: str
    written: float  # seconds since the epoch (the copy's modification time)
    scenario: Scenario | None  # None when the copy cannot be read
    error: str = ""  # why it cannot be read

    @property
    def key(self) -> str:
        return self.file.stem

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.written))
        where = str(self.original) if self.original else "a new tab, never saved"
        return f"{self.title} ({where}), unsaved edits from {when}"


def key_of(doc: Document) -> str:
    """The copy's file name for a tab: its title made safe, plus an id unique to the tab."""
    key = getattr(doc, "recovery_key", None)
    if not key:
        key = f"{_slug(doc.title)[:40]}-{uuid.uuid4().hex[:8]}"
        doc.recovery_key = key
    return key


def file_of(doc: Document) -> Path:
    return folder() / f"{key_of(doc)}.toml"


def text_of(doc: Document) -> str:
    meta = {"original": str(doc.path.absolute()) if doc.path else None, "title": doc.title, "pid": os.getpid()}
    return MARK + json.dumps(meta, ensure_ascii=False) + "\n" + files.dump_text(doc.scenario)


def keep(doc: Document) -> Path | None:
    """Bring the tab's copy up to date: written when it has unsaved edits, removed when it has none.

    Raises files.ScenarioError (a one-line message) when the copy cannot be written.
    """
    if not doc.dirty:
        discard(doc)
        return None
    target = file_of(doc)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise files.ScenarioError(
            f"{target.parent}: cannot create: {exc.strerror or exc} (a writable folder)"
        ) from None
    files.write_atomic(target, text_of(doc))
    return target


def discard(doc_or_copy: Document | Copy) -> None:
    """Remove a copy (after a clean save, an undo back to the file, or the user's explicit discard)."""
    if isinstance(doc_or_copy, Copy):
        target = doc_or_copy.file
    elif getattr(doc_or_copy, "recovery_key", None):
        target = file_of(doc_or_copy)
    else:
        return
    try:
        target.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass  # a copy that cannot be removed is offered again next time, which loses nothing


def _alive(pid: int) -> bool:
    if pid == os.getpid() or pid <= 0:
        return False  # our own copies are never "someone else's live session"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def read(file: Path) -> Copy:
    """One copy from disk; unreadable copies come back with `error` set (they can still be discarded)."""
    try:
        written = file.stat().st_mtime
        raw = file.read_text("utf-8")
        first, _, _ = raw.partition("\n")
        meta = json.loads(first.removeprefix(MARK)) if first.startswith(MARK) else {}
        if not isinstance(meta, dict):
            meta = {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Copy(file, None, file.stem, 0.0, None, f"unreadable: {exc}")
    original = meta.get("original")
    title = str(meta.get("title") or file.stem)
    copy = Copy(
        file, Path(original) if isinstance(original, str) and original else None, title, written, None
    )
    try:
        copy.scenario = files.parse_text(raw, str(file))
    except files.ScenarioError as exc:
        copy.error = str(exc).splitlines()[0]
    return copy


def scan() -> list[Copy]:
    """Copies left by sessions that ended without saving (not those of another workbench still running)."""
    out = []
    try:
        candidates = sorted(folder().glob("*.toml"))
    except OSError:
        return []
    for file in candidates:
        if file.name.startswith("."):
            continue  # a temporary file of an interrupted write
        copy = read(file)
        pid = _pid_of(file)
        if pid is not None and _alive(pid):
            continue
        out.append(copy)
    return sorted(out, key=lambda c: -c.written)


def _pid_of(file: Path) -> int | None:
    try:
        with file.open("r", encoding="utf-8") as fh:
            first = fh.readline()
        pid = json.loads(first.removeprefix(MARK)).get("pid") if first.startswith(MARK) else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return None
    return pid if isinstance(pid, int) else None


def restore(copy: Copy) -> Document:
    """A tab holding the recovered edits: it points at the original file (ctrl+s saves there, or under
    saves/ for a preset), undo goes back to that file as it is on disk, and it is marked unsaved. It keeps
    the copy's key, so the copy stays on disk until the tab is saved or discarded."""
    if copy.scenario is None:
        raise files.ScenarioError(copy.error or f"{copy.file}: unreadable recovery copy")
    base = None
    if copy.original is not None:
        try:
            base = files.load(copy.original)
        except files.ScenarioError:
            base = None
    if base is not None:
        doc = Document(base, copy.original, copy.title)
        doc.push(copy.scenario)
    else:
        doc = Document(copy.scenario, copy.original, copy.title)
        doc.saved = None  # the original is gone or broken: nothing on disk equals this tab
    doc.recovery_key = copy.key
    return doc
