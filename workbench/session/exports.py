"""Exports for the meeting: a tab's summary as Markdown and its monthly table as CSV, written into the saves
folder (paths.saves_dir: ./saves in the repository, the user data folder's saves/ for an installed tool).

File names carry the tab's name, what they hold and the time, so a second export never overwrites the
first: <saves>/<tab>-summary-YYYYMMDD-HHMMSS.md, -monthly-....csv, -screen-....svg.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from workbench.model import report
from workbench.model.report import Analysis
from workbench.store import files, paths


def slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text).strip("-")
    while "--" in out:
        out = out.replace("--", "-")
    return out[:60].strip("-") or "scenario"


def export_path(
    title: str, kind: str, ext: str, when: datetime | None = None, folder: Path | None = None
) -> Path:
    """A fresh path in the saves folder (or `folder`) for an export; never an existing file."""
    folder = Path(folder) if folder is not None else paths.saves_dir()
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = f"{slug(title)}-{kind}-{stamp}"
    path = folder / f"{base}.{ext}"
    n = 2
    while path.exists():
        path = folder / f"{base}-{n}.{ext}"
        n += 1
    return path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_atomic(path, text)
    return path


def write_summary(a: Analysis, title: str, folder: Path | None = None, when: datetime | None = None) -> Path:
    """The tab's summary (recommendation, options, ladder, risks) as Markdown."""
    return _write(export_path(title, "summary", "md", when, folder), report.to_markdown(a))


def write_monthly(a: Analysis, title: str, folder: Path | None = None, when: datetime | None = None) -> Path:
    """The tab's monthly table (one row per option and month, every component) as CSV."""
    return _write(export_path(title, "monthly", "csv", when, folder), report.to_csv(a))


def shown(path: Path) -> str:
    """A path as the status line says it: relative to the working directory when under it."""
    try:
        return (
            os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd().resolve()) else str(path)
        )
    except (OSError, ValueError):
        return str(path)
