"""A crash loses nothing (issue 16, item 4): when the app ends on an unhandled error, every tab's unsaved
edits are in recovery copies before it exits (at once, not a timer's DELAY after the last edit), the
traceback is in a log file of its own in the user log folder, and the terminal gets one line that says
where, after the screen is restored. Inside the app's loop (a key's action, a worker, a timer, mount),
outside it (tui.app.run), and in a real process on a pseudo-terminal."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import pytest
from helpers import ROOT, make_app, until, user_file
from test_recovery import edit_volume, edited

from workbench.session import crash, recovery
from workbench.session.document import Document
from workbench.store import files, paths
from workbench.tui import app as tui_app
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.recover import RecoverScreen

sys.path.insert(0, str(ROOT / "benchmarks"))

LINE = re.compile(
    r"workbench: an internal error ended the session; unsaved edits are in 1 recovery copy "
    r"\(offered at the next start\); details: (\S+\.log)"
)


@pytest.fixture
def saves(saves, monkeypatch):
    """No copy is written by the timer in these tests: one that exists was written by the crash."""
    monkeypatch.setattr(recovery, "DELAY", 3600.0)
    return saves


def copies() -> list[Path]:
    return sorted(recovery.folder().glob("*.toml")) if recovery.folder().exists() else []


def logs() -> list[Path]:
    return sorted(paths.log_dir().glob("crash-*.log")) if paths.log_dir().exists() else []


# --- the report, without the app ---------------------------------------------------------------------


def test_one_copy_that_fails_does_not_stop_the_others_and_the_log_says_which(saves, monkeypatch):
    good = edited(Document(files.load(user_file(saves, "good.toml")), saves / "good.toml"), 111)
    bad = edited(Document(files.load(user_file(saves, "bad.toml")), saves / "bad.toml"), 222)
    clean = Document(files.load(user_file(saves, "clean.toml")), saves / "clean.toml")
    text_of = recovery.text_of

    def failing(doc, session=None):
        if doc is bad:
            raise ValueError("cannot write this one")
        return text_of(doc, session)

    monkeypatch.setattr(recovery, "text_of", failing)
    report = crash.report(RuntimeError("boom"), [bad, good, clean])
    assert report.copies == copies() and len(copies()) == 1
    assert files.load(copies()[0]).workload.requests_per_day == 111
    assert report.line() == (
        "workbench: an internal error ended the session; unsaved edits are in 1 recovery copy (offered at "
        f"the next start); 1 tab with unsaved edits could not be copied; details: {report.log}"
    )
    assert report.log == logs()[0] and stat.S_IMODE(report.log.stat().st_mode) == 0o600
    text = report.log.read_text("utf-8")
    assert "bad (" in text and "copy NOT written: ValueError: cannot write this one" in text
    assert f"good ({saves / 'good.toml'}): recovery copy {copies()[0]}" in text
    assert "clean (" in text and "no unsaved edits" in text
    assert "RuntimeError: boom" in text and "textual: " in text and "python: " in text


def test_a_log_that_cannot_be_written_is_said_and_escapes_are_not_printed(saves, monkeypatch):
    doc = edited(Document(files.load(user_file(saves)), saves / "mine.toml", "mine\x1b]0;owned\x07"), 5)
    paths.log_dir().parent.mkdir(parents=True)
    paths.log_dir().write_text("a file where the folder should be", "utf-8")
    report = crash.report(RuntimeError("boom"), [doc])
    assert report.log is None and len(report.copies) == 1
    line = report.line()
    assert line.endswith("so the traceback follows") and str(paths.log_dir()) in line
    assert "\n" not in line and "\x1b" not in line
    assert "\x1b" not in crash.log_text(RuntimeError("\x1b[2J"), [doc], [], {})


# --- in the app --------------------------------------------------------------------------------------


def _raise(self) -> None:
    raise RuntimeError("boom in action")


async def _fail() -> None:
    raise RuntimeError("boom in worker")


def _fail_now() -> None:
    raise RuntimeError("boom in timer")


CRASHES = {
    "action": _raise,
    "worker": lambda self: self.run_worker(_fail()),
    "timer": lambda self: self.set_timer(0.01, _fail_now),
}


@pytest.mark.parametrize("where", sorted(CRASHES))
async def test_a_crash_writes_the_copy_and_the_log_and_says_one_line(saves, monkeypatch, capsys, where):
    target = user_file(saves)
    monkeypatch.setattr(WorkbenchApp, "action_help", CRASHES[where])
    app = WorkbenchApp([Document(files.load(target), target)])
    with pytest.raises(Exception, match=f"boom in {where}"):  # a worker's: WorkerFailed
        async with app.run_test(size=(100, 30)) as pilot:
            view = app.active_view()
            await edit_volume(pilot, view, "777")
            assert view.doc.dirty and copies() == []  # the edit, and no copy yet: the timer is far off
            await pilot.press("question_mark")
            await until(pilot, lambda: app.crash is not None)
    assert app.return_code == 1
    assert [files.load(c).workload.requests_per_day for c in copies()] == [777]
    [log] = logs()
    text = log.read_text("utf-8")
    assert "Traceback (most recent call last)" in text and f"RuntimeError: boom in {where}" in text
    assert f"recovery copy {copies()[0]}" in text
    err = capsys.readouterr().err
    assert err.splitlines() == [app.crash.line()] and LINE.fullmatch(err.strip()).group(1) == str(log)


async def test_a_crash_in_mount_with_nothing_unsaved_still_logs(saves, monkeypatch, capsys):
    monkeypatch.setattr(WorkbenchApp, "on_mount", _raise)
    app = make_app("starter")
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(100, 30)):
            pass
    assert app.return_code == 1 and copies() == [] and len(logs()) == 1
    assert capsys.readouterr().err.strip().endswith(f"no tab had unsaved edits; details: {logs()[0]}")


async def test_without_a_log_the_traceback_follows_the_line(saves, monkeypatch, capsys):
    paths.log_dir().parent.mkdir(parents=True)
    paths.log_dir().write_text("a file where the folder should be", "utf-8")
    monkeypatch.setattr(WorkbenchApp, "action_help", _raise)
    app = make_app("starter")
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("question_mark")
    err = capsys.readouterr().err
    assert err.startswith(
        "workbench: an internal error ended the session; no tab had unsaved edits; no log ("
    )
    assert "boom in action" in err.split("\n", 1)[1]


def test_an_error_outside_the_apps_loop_is_reported_the_same_way(saves, monkeypatch, capsys):
    def broken_run(self):
        raise OSError("the terminal went away")

    monkeypatch.setattr(WorkbenchApp, "run", broken_run)
    target = user_file(saves)
    assert tui_app.run([(target, files.load(target))]) == 1
    [log] = logs()
    assert "OSError: the terminal went away" in log.read_text("utf-8")
    assert capsys.readouterr().err.splitlines() == [
        f"workbench: an internal error ended the session; no tab had unsaved edits; details: {log}"
    ]


# --- a real process on a pseudo-terminal -------------------------------------------------------------

CRASHING_APP = """
from workbench.session import recovery
from workbench.tui.app import WorkbenchApp
recovery.DELAY = 3600.0  # any copy that exists was written by the crash
def boom(self):
    raise RuntimeError("boom on the help key")
WorkbenchApp.action_help = boom
from workbench.cli.run import main
raise SystemExit(main())
"""
RESTORED = "\x1b[?1049l"  # the alternate screen left: what follows stays on the terminal
ESCAPES = re.compile(r"\x1b(\[[0-9;?<=>]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


@pytest.mark.skipif(sys.platform != "linux", reason="a pseudo-terminal")
async def test_a_real_crash_on_a_terminal_leaves_one_line_a_log_and_a_copy_offered_next_time(saves):
    from terminal import PtyApp

    target = user_file(saves)
    term = PtyApp([sys.executable, "-c", CRASHING_APP, str(target)], cols=120, rows=40, env=dict(os.environ))
    try:
        assert term.read_until(lambda out: b"GPT-4o \xe2\x80\xba name" in out) is not None, term.buffer[
            -2000:
        ]
        term.send("\x1b[C")  # from the model's name to its input price
        assert term.read_until(lambda out: b"GPT-4o \xe2\x80\xba input" in out) is not None
        term.send("3.5\r")
        assert term.read_until(lambda out: b"\xe2\x97\x8f mine" in out) is not None  # the tab is unsaved
        term.send("?")
        term.read_until(lambda out: False)  # everything, until the process has gone
        code = term.proc.wait()
    finally:
        term.close()
    out = term.buffer.decode("utf-8", "replace")
    assert code == 1 and "Traceback" not in out and "boom" not in out
    after = ESCAPES.sub("", out.rsplit(RESTORED, 1)[1]).replace("\r", "")
    [line] = [line for line in after.split("\n") if line.strip()]
    [log] = logs()
    assert LINE.fullmatch(line).group(1) == str(log)
    assert "RuntimeError: boom on the help key" in log.read_text("utf-8")
    [copy] = copies()
    assert files.load(copy).api_models[0].input == 3.5
    assert files.load(target).api_models[0].input != 3.5  # the file is as it was

    app = make_app("starter")  # the next start offers the copy
    async with app.run_test(size=(100, 30)) as pilot:
        await until(
            pilot, lambda: isinstance(app.screen, RecoverScreen) and app.screen.query("#recover-list")
        )
        listed = str(app.screen.query_one("#recover-list").get_option_at_index(0).prompt)
        assert "mine" in listed and str(target) in listed
