"""Recovery (issue 7, part 5): unsaved edits survive a crash or a dropped SSH session.

The app keeps a copy of each modified tab in the recovery folder (written atomically, a debounce delay after
the last edit), offers to restore it on the next start, and removes it on a clean save, an undo back to
the file, or an explicit discard.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest
from helpers import ROOT, make_app, until, user_file

from workbench.session import recovery
from workbench.session.document import Document
from workbench.store import files
from workbench.tui.screens.recover import RecoverScreen


@pytest.fixture
def saves(saves, monkeypatch):
    monkeypatch.setattr(recovery, "DELAY", 0.05)
    return saves


def edited(doc: Document, rpd: float = 4242.0) -> Document:
    s = doc.scenario
    doc.push(s.model_copy(update={"workload": s.workload.model_copy(update={"requests_per_day": rpd})}))
    return doc


# --- the pure module ---------------------------------------------------------------------------------


def test_keep_writes_a_scenario_file_with_its_origin_and_removes_it_when_clean(saves):
    target = user_file(saves)
    doc = Document(files.load(target), target)
    assert recovery.keep(doc) is None and not recovery.folder().exists()
    edited(doc)
    copy_file = recovery.keep(doc)
    assert copy_file.parent == recovery.folder() and copy_file.name.startswith("mine-")
    assert files.load(copy_file) == doc.scenario  # an ordinary scenario file
    found = recovery.scan()
    assert [c.original for c in found] == [target] and found[0].title == "mine"
    assert found[0].scenario == doc.scenario
    doc.undo()  # back to the file: nothing to recover
    recovery.keep(doc)
    assert not copy_file.exists() and recovery.scan() == []


def test_restore_points_at_the_original_and_is_unsaved(saves):
    target = user_file(saves)
    doc = edited(Document(files.load(target), target))
    recovery.keep(doc)
    (c,) = recovery.scan()
    back = recovery.restore(c)
    assert back.path == target and back.dirty and back.scenario.workload.requests_per_day == 4242
    assert back.undo() and back.scenario == files.load(target)  # undo goes to the file on disk
    assert back.recovery_key == c.key  # the copy stays until this tab is saved or discarded


def test_restore_when_the_original_is_gone_or_was_never_saved(saves):
    target = user_file(saves)
    doc = edited(Document(files.load(target), target))
    recovery.keep(doc)
    target.unlink()
    back = recovery.restore(recovery.scan()[0])
    assert back.path == target and back.dirty and back.save_target() == target
    new = edited(Document(files.load(ROOT / "presets" / "starter.toml"), None, "brand new"))
    recovery.discard(doc)
    recovery.keep(new)
    (c,) = recovery.scan()
    assert c.original is None and c.title == "brand new"
    assert recovery.restore(c).path is None


HOLDER = """
import sys, time
from workbench.store import files
from workbench.session import recovery
from workbench.session.document import Document
doc = Document(files.load(sys.argv[1]), None, "other")
print(recovery.keep(doc), flush=True)
time.sleep(60)
"""


def start_holder() -> subprocess.Popen:
    """Another workbench session, alive: it wrote a copy and holds its session's lock."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(ROOT / "presets" / "starter.toml")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_a_copy_held_by_a_running_workbench_is_not_offered_until_it_ends(saves):
    live = start_holder()
    try:
        copy_file = Path(live.stdout.readline().strip())  # returns "" at once if the child failed
        assert copy_file.is_file(), "the other session wrote its copy"
        session = (
            files.read_regular(copy_file, files.MAX_FILE_BYTES)[1].decode().split('"session": "')[1][:32]
        )
        lock = recovery.folder() / f".{session}.lock"
        assert lock.is_file()
        assert recovery.scan() == [], "another workbench still running holds this copy"
        assert lock.is_file(), "a held lock file is left alone"
    finally:
        live.kill()
        live.wait()
        live.stdout.close()
    assert [c.key for c in recovery.scan()] == [copy_file.stem], "its session is gone: offer it"
    assert not lock.exists(), "the dead session's lock file is cleaned up"


def test_a_copy_whose_pid_is_any_live_process_is_still_offered(saves):
    doc = edited(Document(files.load(ROOT / "presets" / "starter.toml"), None, "other"))
    copy_file = recovery.keep(doc)
    text = copy_file.read_text("utf-8")
    assert f'"session": "{recovery.SESSION}"' in text
    # A session that is gone (no lock file), its pid now belonging to init: offered.
    dead = "0" * 32
    copy_file.write_text(
        text.replace(recovery.SESSION, dead).replace(f'"pid": {os.getpid()}', '"pid": 1'), "utf-8"
    )
    assert [c.key for c in recovery.scan()] == [copy_file.stem]
    # A copy from before sessions (pid only): a live process that is not a workbench does not hide it...
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    looks_like_one = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "-m", "workbench"]
    )
    try:
        for pid, offered in ((1, True), (other.pid, True), (looks_like_one.pid, False)):
            header = recovery.MARK + json.dumps({"original": None, "title": "old", "pid": pid}) + "\n"
            copy_file.write_text(header + files.dump_text(doc.scenario), "utf-8")
            assert bool(recovery.scan()) is offered, (pid, offered)
    finally:
        for proc in (other, looks_like_one):
            proc.kill()
            proc.wait()
    # ...and one whose workbench is gone is offered.
    assert [c.key for c in recovery.scan()] == [copy_file.stem]


def test_unreadable_copies_are_listed_and_temporaries_are_not(saves):
    doc = edited(Document(files.load(ROOT / "presets" / "starter.toml"), None, "other"))
    copy_file = recovery.keep(doc)
    (recovery.folder() / "broken.toml").write_text("[workload\n", "utf-8")
    (recovery.folder() / ".x.toml.123.tmp").write_text("half", "utf-8")  # an interrupted write
    found = {c.key: c for c in recovery.scan()}
    assert set(found) == {copy_file.stem, "broken"}
    assert found["broken"].scenario is None and "TOML" in found["broken"].error
    with pytest.raises(files.ScenarioError):
        recovery.restore(found["broken"])


def scan_in_thread(tries: int = 50) -> list | None:
    """recovery.scan() in a thread, waited for by a bounded number of joins (None: it hung)."""
    out: list = []
    worker = threading.Thread(target=lambda: out.append(recovery.scan()), daemon=True)
    worker.start()
    for _ in range(tries):
        worker.join(0.1)
        if not worker.is_alive():
            return out[0]
    return None


def plant_odd_entries(folder: Path) -> None:
    """A FIFO, a folder, a symbolic link to the FIFO and a socket, all named like copies."""
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "fifo.toml")
    (folder / "folder.toml").mkdir()
    (folder / "link.toml").symlink_to(folder / "fifo.toml")
    (folder / "dangling.toml").symlink_to(folder / "nowhere.toml")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "sock.toml"))
    except OSError:
        pass  # a path too long for a socket address: the other entries still count
    finally:
        sock.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_anything_but_a_regular_file_in_the_folder_is_skipped_unopened(saves):
    plant_odd_entries(recovery.folder())
    copy_file = recovery.keep(edited(Document(files.load(ROOT / "presets" / "starter.toml"), None, "real")))
    found = scan_in_thread()
    assert found is not None, "the scan blocked on something in the recovery folder"
    assert [c.key for c in found] == [copy_file.stem]
    (recovery.folder() / "fifo.toml").unlink()  # a FIFO swapped in after the listing: not read either
    os.mkfifo(recovery.folder() / "fifo.toml")
    assert recovery.read(recovery.folder() / "fifo.toml").scenario is None


def test_a_copy_recording_a_file_that_is_no_scenario_restores_with_no_file(saves, tmp_path):
    base = edited(Document(files.load(ROOT / "presets" / "starter.toml"), None, "planted"))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "real.toml").write_text(files.dump_text(base.scenario), "utf-8")
    (saves / "notes.toml").write_text("my notes, not TOML\n", "utf-8")
    (saves / "notes.txt").write_text(files.dump_text(base.scenario), "utf-8")
    (saves / "link.toml").symlink_to(outside / "real.toml")
    cases = {
        outside / "real.toml": "outside",  # a scenario, but not in the saves folder
        saves / "notes.toml": "not a scenario file",
        saves / "notes.txt": "not a .toml scenario file",
        saves / "link.toml": "outside",  # in saves/, but a link to a file elsewhere
        recovery.folder() / "x.toml": "outside",
        Path("/etc/passwd"): "not a .toml",
    }
    for original, why in cases.items():
        header = recovery.MARK + json.dumps({"original": str(original), "title": "planted", "pid": 1}) + "\n"
        recovery.folder().mkdir(exist_ok=True)
        (recovery.folder() / "planted-1.toml").write_text(header + files.dump_text(base.scenario), "utf-8")
        (c,) = recovery.scan()
        assert why in c.problem, (original, c.problem)
        doc = recovery.restore(c)
        assert doc.path is None and doc.dirty and why in doc.note
        assert doc.save_target() == saves / "planted.toml"
    for trusted in (saves / "mine.toml", saves / "gone.toml", ROOT / "presets" / "starter.toml"):
        if trusted.name == "mine.toml":
            user_file(saves)
        header = recovery.MARK + json.dumps({"original": str(trusted), "title": "t", "pid": 1}) + "\n"
        (recovery.folder() / "planted-1.toml").write_text(header + files.dump_text(base.scenario), "utf-8")
        (c,) = recovery.scan()
        assert c.problem == "" and recovery.restore(c).path == trusted


def test_a_copy_that_cannot_be_written_says_why(saves, monkeypatch):
    doc = edited(Document(files.load(ROOT / "presets" / "starter.toml"), None, "x"))
    recovery.folder().write_text("not a folder", "utf-8")
    with pytest.raises(files.ScenarioError):
        recovery.keep(doc)


# --- in the app --------------------------------------------------------------------------------------


wait_until = partial(until, delay=0.02)  # the copies are written by a timer: wait in time, not in frames


async def edit_volume(pilot, view, text: str) -> None:
    view.action_pane("workload")
    await pilot.pause()
    grid = view.query_one("#grid-workload")
    grid.focus()
    grid.move_cursor(row=grid._rows.index(("workload", "requests_per_day")))
    await pilot.pause()
    await pilot.press(*text, "enter")
    await pilot.pause()


def copies(saves: Path) -> list[Path]:
    return sorted(recovery.folder().glob("*.toml")) if recovery.folder().exists() else []


async def test_crash_then_restore_offer_then_save_removes_the_copy(saves):
    from workbench.tui.app import WorkbenchApp

    target = user_file(saves)
    before = target.read_bytes()
    app = WorkbenchApp([Document(files.load(target), target)])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        await edit_volume(pilot, view, "777")
        assert view.doc.dirty
        await wait_until(pilot, lambda: len(copies(saves)) == 1)
        assert files.load(copies(saves)[0]).workload.requests_per_day == 777
        await edit_volume(pilot, view, "888")  # each edit restarts the wait, then the copy follows
        await wait_until(pilot, lambda: files.load(copies(saves)[0]).workload.requests_per_day == 888)
    # The session ends without quitting (a crash, a dropped SSH session): the file is untouched, the copy stays.
    assert target.read_bytes() == before and len(copies(saves)) == 1

    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, RecoverScreen) and app.screen.query("#recover-list")
        )
        await pilot.pause()
        listed = str(app.screen.query_one("#recover-list").get_option_at_index(0).prompt)
        assert "mine" in listed and str(target) in listed
        await pilot.press("r")
        await wait_until(pilot, lambda: len(app.views()) == 2)
        restored = app.views()[1].doc
        assert restored.path == target and restored.dirty
        assert restored.scenario.workload.requests_per_day == 888
        await wait_until(
            pilot, lambda: str(app.query_one("#tabs").get_tab(app.views()[1].parent.id).label).startswith("●")
        )
        app.query_one("#tabs").active = app.views()[1].parent.id
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not restored.dirty)
        await wait_until(pilot, lambda: copies(saves) == [])  # a clean save removes the copy
    assert files.load(target).workload.requests_per_day == 888


async def test_discard_in_the_offer_and_on_quit_removes_copies(saves):
    from workbench.tui.app import WorkbenchApp

    target = user_file(saves)
    for rpd in (1.0, 2.0):
        recovery.keep(edited(Document(files.load(target), target), rpd))
    assert len(copies(saves)) == 2
    app = WorkbenchApp([Document(files.load(target), target)])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, RecoverScreen) and app.screen.query("#recover-list")
        )
        await pilot.pause()
        await pilot.press("d")  # discard the first: its copy is deleted
        await wait_until(pilot, lambda: len(copies(saves)) == 1)
        assert isinstance(app.screen, RecoverScreen)
        await pilot.press("escape")  # decide later: the other copy stays
        await pilot.pause()
        assert not isinstance(app.screen, RecoverScreen) and len(copies(saves)) == 1
        view = app.active_view()
        await edit_volume(pilot, view, "5")
        await wait_until(pilot, lambda: len(copies(saves)) == 2)
        await pilot.press("q")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "Confirm")
        await pilot.press("d")  # quit, discarding this tab's edits on purpose
        await wait_until(pilot, lambda: not app.is_running)
    assert len(copies(saves)) == 1, "the tab's own copy went with the discard; the one left for later stays"
    assert files.load(target) == files.load(ROOT / "presets" / "starter.toml")


async def test_failed_save_keeps_the_copy(saves, tmp_path):
    from workbench.tui.app import WorkbenchApp

    target = user_file(saves)
    app = WorkbenchApp([Document(files.load(target), target)])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.active_view()
        await edit_volume(pilot, view, "31")
        await wait_until(pilot, lambda: len(copies(saves)) == 1)
        view.doc.path = tmp_path / "gone" / "mine.toml"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert view.doc.dirty and "not saved" in str(view.query_one("#status").render())
        await pilot.pause(0.2)
        assert len(copies(saves)) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
async def test_the_app_starts_with_a_fifo_in_the_folder_and_offers_the_real_copy(saves):
    from workbench.tui.app import WorkbenchApp

    plant_odd_entries(recovery.folder())
    target = user_file(saves)
    recovery.keep(edited(Document(files.load(target), target), 5.0))
    recovery.release()  # as if the session that wrote it had ended
    app = WorkbenchApp([Document(files.load(target), target)])
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, RecoverScreen) and app.screen.query("#recover-list")
        )
        assert [c.title for c in app.screen.copies] == ["mine"]


async def test_a_planted_copy_cannot_make_ctrl_s_write_over_a_text_file(saves, tmp_path):
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.screens.dialogs import Confirm, TextPrompt

    notes = tmp_path / "notes.toml"  # outside saves/, and not a scenario at all
    notes.write_text("my notes: not a scenario\n", "utf-8")
    before = notes.read_bytes()
    scenario = files.load(ROOT / "presets" / "starter.toml")
    header = recovery.MARK + json.dumps({"original": str(notes), "title": "notes", "pid": 1}) + "\n"
    recovery.folder().mkdir()
    (recovery.folder() / "notes-1.toml").write_text(header + files.dump_text(scenario), "utf-8")
    app = WorkbenchApp([Document(scenario, ROOT / "presets" / "starter.toml")])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, RecoverScreen) and app.screen.query("#recover-list")
        )
        await pilot.pause()
        listed = str(app.screen.query_one("#recover-list").get_option_at_index(0).prompt)
        assert "ctrl+s asks where to save" in listed
        await pilot.press("r")
        await wait_until(pilot, lambda: len(app.views()) == 2 and app.active_view() is app.views()[1])
        view = app.views()[1]
        assert view.doc.path is None and view.doc.dirty
        await wait_until(pilot, lambda: "asks where to save" in str(view.query_one("#status").render()))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        assert app.screen.query_one("#prompt-input").value == str(saves / "notes.toml")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, TextPrompt))
        assert notes.read_bytes() == before and view.doc.dirty
        # Typing the text file's own path: asked first, and told it is not a scenario file.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        app.screen.query_one("#prompt-input").value = str(notes)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        assert "is not a scenario file" in app.screen.message
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, Confirm))
        assert notes.read_bytes() == before and view.doc.dirty
        assert "left as it was" in str(view.query_one("#status").render())
        # Accepting the offered place saves under saves/ and removes the copy.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("enter")
        await wait_until(pilot, lambda: not view.doc.dirty)
        assert view.doc.path == saves / "notes.toml" and files.load(saves / "notes.toml") == scenario
        await wait_until(pilot, lambda: copies(saves) == [])
    assert notes.read_bytes() == before
