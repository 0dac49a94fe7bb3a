"""Nothing lost on save (issue 7, part 4).

A saving process (forked from the test) is killed with SIGKILL 120 times: half of the kills land at a
random moment while the child saves the old and the new scenario over the same file in a loop, half
inside a chosen step of the save itself (creating the temporary file, writing, flushing, fsync, the rename, the
folder fsync). After every kill the target parses and equals either the old or the new scenario.

Saving into a read-only folder, a missing folder or a full disk gives a clear message, leaves the old
file as it was and keeps the edits in memory with the tab marked unsaved. Root ignores chmod, so the
read-only folder is simulated by making the operating system calls fail with EACCES (and checked for
real with chmod when the tests do not run as root); the full disk by failing them with ENOSPC.
"""

from __future__ import annotations

import errno
import os
import random
import signal
import time
from pathlib import Path

import pytest
from helpers import user_file

from workbench.model.scenario import Scenario
from workbench.session.document import Document
from workbench.store import files

KILLS = 120
STEPS = ("mkstemp", "write", "fsync", "replace", "after_replace")


class HalfWrite:
    """A file that dies halfway through its first write."""

    def __init__(self, fh):
        self.fh = fh

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()

    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        self.fh.flush()
        _die()

    def __getattr__(self, name):
        return getattr(self.fh, name)


def _die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def _saving_child(target: Path, texts: list[str], step: str, ready: int) -> None:
    """Runs in the forked child: save the old and the new text over `target` until killed. Unless the
    kill comes from outside at a random moment, die inside one step of saving the new text."""
    import tempfile

    real_mkstemp, real_fdopen, real_replace = tempfile.mkstemp, os.fdopen, os.replace
    if step == "mkstemp":
        tempfile.mkstemp = lambda *a, **k: (real_mkstemp(*a, **k), _die())[0]
    elif step == "write":
        os.fdopen = lambda *a, **k: HalfWrite(real_fdopen(*a, **k))
    elif step == "fsync":
        os.fsync = _die
    elif step == "replace":
        os.replace = _die
    elif step == "after_replace":
        os.replace = lambda a, b: (real_replace(a, b), _die())
    os.write(ready, b"r")
    i = 1
    while True:
        files.write_atomic(target, texts[i % 2])
        i += 1


def spawn_saver(target: Path, texts: list[str], step: str) -> int:
    """Fork a process that saves over `target` (forking is cheap: the child needs no imports)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        try:
            os.close(r)
            _saving_child(target, texts, step, w)
        finally:
            os._exit(3)
    os.close(w)
    assert os.read(r, 1) == b"r"
    os.close(r)
    return pid


def big_scenario(tag: str, rows: int) -> Scenario:
    """A scenario whose file is tens of kilobytes, so a save takes long enough to be interrupted."""
    data = {
        "name": f"kill test {tag}",
        "description": f"{tag} " * 1000,
        "api_models": [
            {"name": f"{tag} model {i}", "input": i + 0.5, "output": 2 * i + 1.0} for i in range(rows)
        ],
        "options": [
            {"name": f"{tag} option {i}", "model": f"{tag} model {i}"} for i in range(min(rows, 100))
        ],
    }
    return files.from_dict(data, tag)


def test_sigkill_during_saves_leaves_old_or_new(tmp_path):
    old, new = big_scenario("old", 150), big_scenario("new", 300)
    texts = [files.dump_text(old), files.dump_text(new)]
    rng = random.Random(7)
    outcomes = {"old": 0, "new": 0}
    kills = 0
    for i in range(KILLS):
        step = "random" if i % 2 == 0 else STEPS[(i // 2) % len(STEPS)]
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        target = folder / "scenario.toml"
        files.save(old, target)
        pid = spawn_saver(target, texts, step)
        if step == "random":
            time.sleep(rng.uniform(0.0, 0.03))
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (step, status)
        kills += 1
        loaded = files.load(target)  # always parses: never a half-written file
        assert loaded in (old, new), step
        outcomes["old" if loaded == old else "new"] += 1
        if step in ("mkstemp", "write", "fsync", "replace"):
            assert loaded == old, f"killed before the rename ({step}), the old file must remain"
        if step == "after_replace":
            assert loaded == new, "killed after the rename, the new file must be there"
    print(
        f"\nSIGKILLed saves: {kills}; the target held the old scenario {outcomes['old']} times, the new {outcomes['new']}"
    )
    assert kills >= 100
    assert outcomes["old"] > 0 and outcomes["new"] > 0


def test_the_next_save_removes_what_a_killed_save_left_behind(tmp_path):
    """A save killed before its rename leaves its temporary file; the next save of that file removes it
    once it is a minute old (a younger one may be another process's save in progress)."""
    target = tmp_path / "scenario.toml"
    files.save(big_scenario("old", 10), target)
    stale = tmp_path / ".scenario.toml.abc123.tmp"
    fresh = tmp_path / ".scenario.toml.def456.tmp"
    other = tmp_path / ".other.toml.ghi789.tmp"
    for leftover in (stale, fresh, other):
        leftover.write_text("half a scenario")
    old_time = time.time() - 2 * files.STALE_TEMP_SECONDS
    os.utime(stale, (old_time, old_time))
    os.utime(other, (old_time, old_time))
    files.save(big_scenario("new", 10), target)
    assert not stale.exists()
    assert fresh.exists()  # maybe another save in progress
    assert other.exists()  # another file's
    assert files.load(target) == big_scenario("new", 10)


# --- Saves that fail: clear message, old file intact, edits kept -------------------------------------


def _fail_with(monkeypatch, call: str, code: int) -> None:
    def boom(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    if call == "mkstemp":
        import tempfile

        monkeypatch.setattr(tempfile, "mkstemp", boom)
    else:
        monkeypatch.setattr(os, call, boom)


@pytest.mark.parametrize(
    "call, code, words",
    [
        ("mkstemp", errno.EACCES, "permission denied"),  # read-only folder (as root, simulated)
        ("replace", errno.EACCES, "permission denied"),
        ("mkstemp", errno.EROFS, "Read-only file system"),
        ("fsync", errno.ENOSPC, "No space left on device"),  # full disk
        ("replace", errno.ENOSPC, "No space left on device"),
        ("fsync", errno.EDQUOT, "quota"),
    ],
)
def test_failed_save_says_why_and_keeps_the_old_file(tmp_path, monkeypatch, call, code, words):
    old = big_scenario("old", 3)
    target = tmp_path / "s.toml"
    files.save(old, target)
    before = target.read_bytes()
    doc = Document(old, target)
    doc.push(big_scenario("new", 4))
    with pytest.MonkeyPatch.context() as mp, pytest.raises(files.ScenarioError) as exc:
        _fail_with(mp, call, code)
        doc.save()
    msg = str(exc.value)
    assert words.lower() in msg.lower() and str(target) in msg and len(msg.splitlines()) == 1, msg
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"], "no temporary file left behind"
    assert doc.dirty and doc.scenario.name == "kill test new"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; simulated above")
def test_really_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(files.ScenarioError, match="permission denied"):
            files.save(big_scenario("x", 1), folder / "s.toml")
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("case", ["missing folder", "read-only folder", "full disk"])
async def test_tui_failed_save_keeps_edits_and_unsaved_mark(tmp_path, monkeypatch, case):
    from workbench.tui.app import WorkbenchApp

    target = user_file(tmp_path)
    before = target.read_bytes()
    doc = Document(files.load(target), target)
    app = WorkbenchApp([doc])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        new = doc.scenario.model_copy(update={"name": "edited in memory"})
        view.commit(new, "name = edited in memory")
        await pilot.pause()
        with pytest.MonkeyPatch.context() as mp:
            if case == "missing folder":
                doc.path = tmp_path / "gone" / "mine.toml"
            elif case == "read-only folder":
                _fail_with(mp, "mkstemp", errno.EACCES)
            else:
                _fail_with(mp, "fsync", errno.ENOSPC)
            await pilot.press("ctrl+s")
            await pilot.pause()
        status = str(view.query_one("#status").render())
        assert "not saved" in status and "edits are kept" in status, status
        assert {
            "missing folder": "does not exist",
            "read-only folder": "permission denied",
            "full disk": "No space left",
        }[case] in status, status
        assert doc.dirty and doc.scenario.name == "edited in memory"
        label = str(app.query_one("#tabs").get_tab(view.parent.id).label)
        assert label.startswith("●"), label
        assert app.is_running
    assert target.read_bytes() == before
