"""Crash reports: when the app ends on an unhandled error, nothing typed is lost and the terminal gets one
line. No Textual here (the app calls `report` from its exception hook and prints `Report.line`).

`report` first writes a recovery copy of every tab with unsaved edits (recovery.keep_all, at once: the
copy a timer writes DELAY seconds after the last edit may not exist yet), then the traceback and its
context (versions, time, the tabs and their copies) to a new file in the user log folder,
`crash-YYYYmmdd-HHMMSS-PID.log`, readable by the user alone. The line says how many copies were written
and where the log is; when the log cannot be written it says so, and the caller prints the traceback.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

from workbench.model.fmt import escaped
from workbench.session import recovery
from workbench.session.document import Document
from workbench.store import paths

log = logging.getLogger("workbench")


@dataclass
class Report:
    """What a crash left: the copies written, the tabs whose copy failed, and the log file."""

    copies: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "title: why", one per tab whose copy was not written
    log: Path | None = None  # None: the log could not be written (log_error says why)
    log_error: str = ""

    def line(self) -> str:
        """The one line for the terminal, once the screen is restored."""
        parts = ["workbench: an internal error ended the session"]
        n = len(self.copies)
        if n:
            parts.append(
                f"unsaved edits are in {_count(n, 'recovery copy', 'recovery copies')} (offered at the next start)"
            )
        if self.failed:
            parts.append(f"{_count(len(self.failed), 'tab', 'tabs')} with unsaved edits could not be copied")
        elif not n:
            parts.append("no tab had unsaved edits")
        if self.log is not None:
            parts.append(f"details: {self.log}")
        else:
            parts.append(f"no log ({self.log_error}), so the traceback follows")
        return escaped("; ".join(parts))


def report(error: BaseException, docs: list[Document], context: Mapping[str, str] | None = None) -> Report:
    """Copies of the tabs' unsaved edits, then the log file; never raises. `context`: more lines for the
    log (where the error happened, the screen in front)."""
    kept = recovery.keep_all(docs)
    out = Report(
        copies=[copy for _, copy, _ in kept if copy is not None],
        failed=[f"{doc.title}: {why}" for doc, copy, why in kept if copy is None],
    )
    try:
        text = log_text(error, docs, kept, context or {})
    except Exception as exc:  # the report must not hide the crash: the traceback alone, then
        text = f"(the context could not be gathered: {exc!r})\n\n" + "".join(
            traceback.format_exception(error)
        )
    try:
        out.log = write_log(text)
    except OSError as exc:
        out.log_error = f"{exc.filename or paths.log_dir()}: {exc.strerror or exc}"
    log.debug("crash: %d copies, log %s", len(out.copies), out.log or out.log_error, exc_info=error)
    return out


def log_text(
    error: BaseException,
    docs: list[Document],
    kept: list[tuple[Document, Path | None, str]],
    context: Mapping[str, str],
) -> str:
    """The log's text: what ran, when, which tabs and copies, then the full traceback."""
    import workbench

    copy_of = {id(doc): (copy, why) for doc, copy, why in kept}
    lines = [
        "workbench crash report",
        f"time: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"workbench: {workbench.__version__}",
        f"textual: {_version('textual')}",
        f"python: {sys.version.split()[0]} ({platform.platform()})",
        f"argv: {sys.argv!r}",
        *(f"{key}: {value}" for key, value in context.items()),
        f"tabs: {len(docs)}",
    ]
    for doc in docs:
        where = str(doc.path.absolute()) if doc.path else "never saved"
        copy, why = copy_of.get(id(doc), (None, ""))
        state = f"recovery copy {copy}" if copy else f"copy NOT written: {why}" if why else "no unsaved edits"
        lines.append(f"  {doc.title} ({where}): {state}")
    lines += ["", *traceback.format_exception(error)]
    return escaped("\n".join(line.rstrip("\n") for line in lines) + "\n", keep="\n\t")


def write_log(text: str) -> Path:
    """A new file in the user log folder (created, for the user alone, when missing), mode 600. Raises
    OSError."""
    folder = paths.log_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"crash-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for n in range(1, 100):  # two crashes in one second (the app's, then one outside it): a new name
        target = folder / (f"{stem}.log" if n == 1 else f"{stem}-{n}.log")
        try:
            fd = os.open(target, flags, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
        return target
    raise FileExistsError(0, "too many crash logs this second", str(folder))


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"
