"""The usage-log import dialog (`I`): read real API usage off the UI thread, preview it, fill [workload].

A big log takes seconds to read, so the reading runs in a thread worker and the dialog says it is
reading; only the newest read is shown (a read for a path typed since is dropped when it ends).
"""

from __future__ import annotations

import glob
import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.suggester import Suggester
from textual.timer import Timer
from textual.widgets import Input, Label, Select, Static

from workbench.model.fmt import shown
from workbench.model.scenario import Scenario
from workbench.tui.textual_fixes import Dialog

if TYPE_CHECKING:
    from workbench.model.usage import UsageSummary

# The formats the reader knows (store.usagelog.FORMATS, written out here so that opening the app does
# not import polars; tests/test_tui_usage.py checks the two agree).
FORMATS = ("auto", "openai", "litellm", "otel", "csv")
READ_DELAY = 0.4  # seconds of no typing before a typed path is read

Refusal = Callable[[Path], str | None]  # the one-line refusal for a path this session must not read


def _allowed(path: Path) -> None:
    return None


# [workload] keys as the dialog and the status line name them (short: the line must fit 80 columns)
WORKLOAD_SHORT = {
    "requests_per_day": "req/day",
    "input_tokens": "in",
    "output_tokens": "out",
    "cacheable_share": "cached",
    "peak_to_average": "peak",
    "growth_per_month": "growth/mo",
}


Wanted = tuple[tuple[str, ...], str, str]  # (paths, format, columns as typed): what one read is of


def _shown(path: Path) -> str:
    """A path as the user would write it: relative to the current folder when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_columns(text: str) -> dict[str, str]:
    """`timestamp=when input=prompt output=completion` (spaces or commas between) -> a dict; ValueError
    with one line for anything else. The reader checks the keys."""
    out = {}
    for part in text.replace(",", " ").split():
        key, eq, column = part.partition("=")
        if not eq or not key or not column:
            raise ValueError(f"columns: {part!r} is not key=column (e.g. timestamp=when input=prompt)")
        out[key.strip()] = column.strip()
    return out


def split_paths(text: str) -> list[str]:
    """The paths typed, separated by spaces; quotes keep a path with spaces whole."""
    try:
        return shlex.split(text)
    except ValueError:  # an unclosed quote: take the words as they are
        return text.split()


def complete(text: str, root: Path, refuse: Refusal = _allowed) -> str | None:
    """The text with its last path completed as far as the files under `root` agree (a folder gets its
    slash), or None when nothing longer matches: what Tab does in a shell. A folder `refuse` refuses is
    not listed (a served session shows only what it may read)."""
    if not text or text.endswith(" "):
        return None
    last = text.rsplit(" ", 1)[-1]
    folder, slash, start = last.rpartition("/")
    base = Path(os.path.expanduser(folder + slash or "."))
    if not base.is_absolute():
        base = root / base
    if refuse(base):
        return None
    try:
        names = sorted(
            e.name + ("/" if e.is_dir() else "")
            for e in os.scandir(base)
            if e.name.startswith(start) and (start.startswith(".") or not e.name.startswith("."))
        )
    except OSError:
        return None
    if not names:
        return None
    common = os.path.commonprefix(names)
    longer = common if len(common) > len(start) else names[0] if len(names) == 1 else ""
    if len(longer) <= len(start):
        return None
    return text + longer[len(start) :]


class PathSuggester(Suggester):
    """Greys in the rest of the path being typed; Tab (or →) takes it."""

    def __init__(self, root: Path, refuse: Refusal) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.root = root
        self.refuse = refuse

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self.root, self.refuse)


class UsageDialog(Dialog["UsageSummary | None"]):
    """Log files and a format in; the summary the reader makes of them out; Enter fills [workload]."""

    CSS = """
    UsageDialog > .dialog { height: 90%; max-width: 110; }
    UsageDialog .dialog-title { margin-bottom: 0; }
    UsageDialog .field { height: 1; }
    UsageDialog .field Label { width: 11; }
    UsageDialog .field Input { width: 1fr; }
    UsageDialog .field Select { width: 1fr; max-width: 24; }
    UsageDialog #usage-where { color: $text-muted; height: 1; }
    UsageDialog #usage-state { height: auto; margin-top: 1; }
    UsageDialog #usage-state.error { color: $error; }
    UsageDialog #usage-preview { height: 1fr; }
    UsageDialog .hint { color: $text-muted; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("tab", "complete", "Complete", show=False, priority=True),
    ]

    def __init__(
        self, root: Path, scenario: Scenario | None = None, paths: str = "", refuse: Refusal = _allowed
    ) -> None:
        super().__init__()
        self.root = root  # relative paths are read from here (the folder the app was started in)
        self.refuse = refuse
        self.scenario = scenario  # for the spend check: the log's spend against this scenario's prices
        self.initial = paths
        self.summary: UsageSummary | None = None
        self.summary_key: Wanted | None = None  # what `summary` was read from
        self.reading: Wanted | None = None
        self.error = ""
        self._apply_when_read = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content("Import a usage log into [workload]"), classes="dialog-title")
            yield Horizontal(
                Label("Log files"),
                Input(
                    self.initial,
                    id="usage-path",
                    compact=True,
                    placeholder="a file or several: usage.csv logs/*.jsonl (Tab completes)",
                    suggester=PathSuggester(self.root, self.refuse),
                ),
                classes="field",
            )
            yield Static(Content(f"relative to {self.root}"), id="usage-where")
            yield Horizontal(
                Label("Format"),
                Select(
                    [(f, f) for f in FORMATS],
                    value="auto",
                    allow_blank=False,
                    id="usage-format",
                    compact=True,
                ),
                classes="field",
            )
            yield Horizontal(
                Label("Columns"),
                Input(
                    "",
                    id="usage-columns",
                    compact=True,
                    placeholder="any CSV: timestamp=when input=prompt output=completion (else blank)",
                ),
                classes="field",
            )
            yield Static("type the path of a log (CSV, JSON Lines, Parquet; .gz too)", id="usage-state")
            with VerticalScroll(id="usage-preview"):
                yield Static("", id="usage-lines")
            yield Static(
                Content("Enter fills [workload] with these figures (u undoes) · Esc cancels"), classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one("#usage-path", Input).focus()
        if self.initial:
            self._read_soon(0.0)

    # --- what to read ----------------------------------------------------------------------------------
    def _wanted(self) -> Wanted:
        paths = tuple(split_paths(self.query_one("#usage-path", Input).value))
        columns = self.query_one("#usage-columns", Input).value.strip()
        return paths, str(self.query_one("#usage-format", Select).value), columns

    def _resolved(self, paths: tuple[str, ...]) -> list[Path]:
        """The files the typed paths name, relative to `root`, wildcards expanded (`logs/*.jsonl`);
        ValueError with the one line to show for a path refused here, missing or matching nothing."""
        out: list[Path] = []
        for p in paths:
            path = Path(os.path.expanduser(p))
            path = path if path.is_absolute() else self.root / path
            refusal = self.refuse(path)  # before listing anything: a served session lists nothing else
            if refusal:
                raise ValueError(refusal)
            if any(c in p for c in "*?["):
                found = sorted(Path(m) for m in glob.glob(str(path)) if os.path.isfile(m))
                if not found:
                    raise ValueError(f"{p}: no file matches")
                refusal = next((r for r in map(self.refuse, found) if r), None)
                if refusal:
                    raise ValueError(refusal)
                out += found
            elif not path.exists():
                raise ValueError(f"{p}: no such file")
            else:
                out.append(path)
        return out

    @on(Input.Changed, "#usage-path")
    @on(Input.Changed, "#usage-columns")
    @on(Select.Changed, "#usage-format")
    def _changed(self) -> None:
        self._apply_when_read = False
        self._read_soon(READ_DELAY)

    def _read_soon(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(delay, self._start_read) if delay > 0 else None
        if delay <= 0:
            self._start_read()

    def _start_read(self) -> None:
        """Read what is typed, unless it is being read or was read already."""
        self._timer = None
        key = self._wanted()
        if key in (self.summary_key, self.reading):
            return
        paths, fmt, column_text = key
        self.summary, self.summary_key = None, None
        self.query_one("#usage-lines", Static).update("")
        if not paths:
            self.reading = None
            self._say("type the path of a log (CSV, JSON Lines, Parquet; .gz too)")
            return
        try:
            columns = parse_columns(column_text)
        except ValueError as exc:
            self.reading = None
            self._say(str(exc), error=True)
            return
        try:
            files = self._resolved(paths)
        except ValueError as exc:  # no thread for a path still being typed
            self.reading = None
            self._say(str(exc), error=True)
            return
        size = sum(f.stat().st_size for f in files if f.is_file())
        self.reading = key
        what = f"{len(files)} files" if len(files) > 1 else _shown(files[0])
        self._say(f"reading {what} ({size / 1e6:,.1f} MB)…")
        self._read(key, files, fmt, columns)

    @work(thread=True, exclusive=True, group="usage-read")
    def _read(self, key: Wanted, files: list[Path], fmt: str, columns: dict[str, str]) -> None:
        from workbench.model.usage import UsageError
        from workbench.store import usagelog

        try:
            shown = [_shown(f) for f in files]  # as the summary and the [workload] source name them
            summary = usagelog.summarize(shown, fmt, columns=columns or None, scenario=self.scenario)
        except UsageError as exc:
            self.app.call_from_thread(self._failed, key, str(exc))
        except OSError as exc:
            self.app.call_from_thread(self._failed, key, f"{exc.filename or key[0][0]}: {exc.strerror}")
        except Exception as exc:  # a reader bug must still be one line, not a crashed app
            self.app.call_from_thread(self._failed, key, f"cannot read it: {type(exc).__name__}: {exc}")
        else:
            self.app.call_from_thread(self._read_done, key, summary)

    def _failed(self, key: Wanted, message: str) -> None:
        if key != self.reading or self.closed:  # typed since, or the dialog is closed
            return
        self.reading = None
        self._apply_when_read = False
        self._say(" ".join(message.split()), error=True)

    def _read_done(self, key: Wanted, summary: UsageSummary) -> None:
        if key != self.reading or self.closed:  # typed since, or the dialog is closed
            return
        self.reading = None
        self.summary, self.summary_key = summary, key
        figures = ", ".join(WORKLOAD_SHORT.get(k, k) for k in summary.workload()) or "nothing"
        self._say(f"✔ read {summary.rows:,} rows; Enter sets {figures}")
        self.query_one("#usage-lines", Static).update(Text(shown("\n".join(summary.lines()), lines=True)))
        if self._apply_when_read:
            self.action_apply()

    def _say(self, text: str, error: bool = False) -> None:
        self.error = text if error else ""
        state = self.query_one("#usage-state", Static)
        state.update(Text(text))
        state.set_class(error, "error")

    # --- keys --------------------------------------------------------------------------------------
    @on(Input.Submitted, "#usage-path")
    @on(Input.Submitted, "#usage-columns")
    def _submitted(self) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        """Enter: fill [workload] from what was read; a path not read yet is read first, then applied."""
        if self.summary is not None and self.summary_key == self._wanted():
            self.dismiss(self.summary)
            return
        self._apply_when_read = True
        if self._timer is not None:
            self._timer.stop()
        self._start_read()
        if self.reading is None and self.summary is None:
            self._apply_when_read = False  # nothing to read (no path, or no such file): the line says why

    def action_complete(self) -> None:
        inp = self.query_one("#usage-path", Input)
        if self.focused is inp:
            done = complete(inp.value, self.root, self.refuse)
            if done is not None:
                inp.value = done
                inp.cursor_position = len(done)
                return
        self.focus_next()

    def action_cancel(self) -> None:
        self.reading = None  # a read still running is dropped when it ends
        self.dismiss(None)
