"""Changed on disk (issue 12, part 4): a save never writes over an outside change in silence.

ctrl+s on a file that changed since the tab read it (another editor, another workbench) asks: overwrite,
reload (the tab's edits kept as a recovery copy) or save as; Escape writes nothing. Back in the terminal
(focus) or on showing a tab, an outside change is noticed: a tab with no unsaved edits is offered a
reload, one with edits is told that ctrl+s will ask. A save with nothing changed outside asks nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import make_app, until, user_file
from textual import events
from textual.widgets import Button

from workbench.session import recovery
from workbench.session.document import CHANGED, DELETED, UNCHANGED, UNREADABLE, Document
from workbench.store import files
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.changed import ChangedOnDisk
from workbench.tui.screens.dialogs import Confirm, TextPrompt


def status(app: WorkbenchApp) -> str:
    view = app.active_view()
    assert view is not None
    return str(view.query_one("#status").render())


def set_rpd(app: WorkbenchApp, rpd: float) -> None:
    """An edit as the grid makes it: requests per day of the tab in front."""
    view = app.active_view()
    assert view is not None
    s = view.doc.scenario
    view.commit(
        s.model_copy(update={"workload": s.workload.model_copy(update={"requests_per_day": rpd})}), "edit"
    )


def rpd_of(path: Path) -> float:
    return files.load(path).workload.requests_per_day


def outside_edit(path: Path, rpd: int) -> None:
    """What `sed -i` or an editor does: the value changed in the file's text, the rest as it was."""
    text = path.read_text("utf-8")
    old = f"requests_per_day = {int(rpd_of(path))}"
    assert old in text
    path.write_text(text.replace(old, f"requests_per_day = {rpd}"), "utf-8")


def open_app(path: Path) -> WorkbenchApp:
    return WorkbenchApp([Document.open(path)])


async def settled(pilot, app: WorkbenchApp) -> None:
    """The app shows its tab with a grid focused and has run the look at the file that follows (both
    come after the first refresh); two apps in one test run side by side, so either may lag."""
    await until(pilot, lambda: app.active_view() is not None and app.focused is not None)
    await pilot.pause()


def dialog_of(app: WorkbenchApp) -> ChangedOnDisk:
    assert isinstance(app.screen, ChangedOnDisk)
    return app.screen


# --- Document: the state of the file on disk ---------------------------------------------------------


def test_disk_state_compares_the_file_with_what_the_tab_read(saves):
    mine = user_file(saves)
    doc = Document.open(mine)
    assert doc.disk_state() == UNCHANGED and not doc.disk_changed()
    mine.write_text("\ufeff" + mine.read_text("utf-8"), "utf-8")  # a byte-order mark only: same text
    assert doc.disk_state() == UNCHANGED
    outside_edit(mine, 777)
    assert doc.disk_state() == CHANGED and doc.disk_changed()
    doc.save()  # written by this tab: the new base
    assert doc.disk_state() == UNCHANGED and rpd_of(mine) == 20000
    mine.unlink()
    assert doc.disk_state() == DELETED and not doc.disk_changed()
    doc.save()
    assert doc.disk_state() == UNCHANGED
    mine.unlink()
    os.mkfifo(mine)  # not a file to read: never opened for reading, which would block
    assert doc.disk_state() == UNREADABLE


def test_quick_look_reads_only_when_the_stat_moved(saves):
    mine = user_file(saves)
    doc = Document.open(mine)
    assert doc.disk_state(quick=True) == UNCHANGED
    st = mine.stat()
    text = mine.read_text("utf-8")
    # Same size and times, other text, written in place: a quick look cannot tell; ctrl+s's look does.
    with open(mine, "r+", encoding="utf-8") as fh:
        fh.write(text.replace("requests_per_day = 20000", "requests_per_day = 90000"))
    os.utime(mine, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert doc.disk_state(quick=True) == UNCHANGED
    assert doc.disk_state() == CHANGED
    assert doc.disk_state(quick=True) == CHANGED  # remembered for this version of the file
    doc.reload()
    assert doc.disk_state(quick=True) == UNCHANGED and doc.scenario.workload.requests_per_day == 90000
    assert not doc.dirty and doc.undo() and doc.scenario.workload.requests_per_day == 20000


def test_a_preset_tab_counts_a_file_at_its_target_as_someone_elses(saves):
    doc = Document.open(Path(__file__).resolve().parent.parent / "presets" / "starter.toml")
    assert doc.save_target() == saves / "starter.toml"
    assert doc.disk_state() == UNCHANGED
    user_file(saves, "starter.toml")
    assert doc.disk_state() == CHANGED
    with pytest.raises(files.ScenarioError):
        doc.reload()  # a preset has no file of its own to reload


# --- ctrl+s: two workbench instances on one file -----------------------------------------------------


@pytest.mark.parametrize("choice", ["overwrite", "reload", "save_as", "escape"])
async def test_two_instances_on_one_file_never_lose_a_save_silently(saves, monkeypatch, choice):
    monkeypatch.setattr(recovery, "DELAY", 0.05)
    mine = user_file(saves)
    a, b = open_app(mine), open_app(mine)
    async with a.run_test(size=(80, 24)) as pa, b.run_test(size=(80, 24)) as pb:
        await settled(pa, a)
        await settled(pb, b)  # b has looked at its file once it is shown; a's save comes after
        set_rpd(a, 1111)
        await pa.press("ctrl+s")
        await until(pa, lambda: not a.active_view().doc.dirty)
        assert rpd_of(mine) == 1111
        set_rpd(b, 2222)
        await pb.press("ctrl+s")
        await until(pb, lambda: isinstance(b.screen, ChangedOnDisk))
        assert rpd_of(mine) == 1111, "nothing written before the answer"
        dialog = dialog_of(b)
        assert dialog.message == f"{mine} changed on disk since this tab read it."
        buttons = list(dialog.query(Button))
        assert [btn.id for btn in buttons] == ["overwrite", "reload", "save_as", "cancel"]
        # At 80x24 every button shows whole, with its key (the label is text, not markup).
        assert [str(btn.label) for btn in buttons] == [
            "Overwrite [o]",
            "Reload [r]",
            "Save as [s]",
            "Cancel [esc]",
        ]
        assert all(btn.region.width >= len(str(btn.label)) and btn.region.right <= 80 for btn in buttons)
        assert dialog.focused is not None and dialog.focused.id == "cancel", "a stray Enter writes nothing"
        if choice == "overwrite":
            await pb.press("o")
            await until(pb, lambda: not b.active_view().doc.dirty)
            assert rpd_of(mine) == 2222 and "saved to" in status(b)
        elif choice == "reload":
            await pb.press("r")
            await until(pb, lambda: not b.active_view().doc.dirty)
            assert b.active_view().doc.scenario.workload.requests_per_day == 1111
            assert rpd_of(mine) == 1111
            copies = recovery.scan()
            assert [c.scenario.workload.requests_per_day for c in copies] == [2222]
            assert copies[0].original == mine
            assert status(b).startswith(f"your edits are kept in {copies[0].file}; reloaded")
            await pb.pause(0.2)  # the debounced copy of the (now clean) tab must not remove it
            assert copies[0].file.exists()
            await pb.press("u")  # undo brings the edits back into the tab too
            await until(pb, lambda: b.active_view().doc.scenario.workload.requests_per_day == 2222)
        elif choice == "save_as":
            await pb.press("left")  # arrows move between the buttons: cancel -> save as
            assert dialog.focused is not None and dialog.focused.id == "save_as"
            await pb.press("enter")
            await until(pb, lambda: isinstance(b.screen, TextPrompt))
            b.screen.query_one("#prompt-input").value = str(saves / "theirs.toml")
            await pb.press("enter")
            await until(pb, lambda: not b.active_view().doc.dirty)
            assert rpd_of(saves / "theirs.toml") == 2222 and rpd_of(mine) == 1111
            assert b.active_view().doc.path == saves / "theirs.toml"
        else:
            await pb.press("escape")
            await until(pb, lambda: not isinstance(b.screen, ChangedOnDisk))
            assert rpd_of(mine) == 1111 and b.active_view().doc.dirty
            assert "not saved" in status(b) and "changed on disk" in status(b)
            assert sorted(p.name for p in saves.iterdir() if not p.name.startswith(".")) == ["mine.toml"]
        # A saves again: now B is the outside change for A, which asks in its turn (unless B reloaded).
        set_rpd(a, 3333)
        await pa.press("ctrl+s")
        if choice in ("overwrite",):
            await until(pa, lambda: isinstance(a.screen, ChangedOnDisk))
            await pa.press("escape")
        else:
            await until(pa, lambda: not a.active_view().doc.dirty)
            assert isinstance(a.screen, type(a.screen_stack[0]))


async def test_an_outside_edit_is_asked_about_and_overwritten_only_on_request(saves):
    mine = user_file(saves)
    app = open_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        set_rpd(app, 4242)
        outside_edit(mine, 31337)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ChangedOnDisk))
        await pilot.press("x")  # not a choice
        await pilot.press("right")  # cancel -> (wraps) overwrite
        assert app.screen.focused is not None and app.screen.focused.id == "overwrite"
        await pilot.press("enter")
        await until(pilot, lambda: not app.active_view().doc.dirty)
        assert rpd_of(mine) == 4242
        # Written by this tab now: the next save asks nothing.
        set_rpd(app, 5)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not app.active_view().doc.dirty)
        assert rpd_of(mine) == 5


async def test_a_save_with_nothing_changed_outside_asks_nothing(saves):
    mine = user_file(saves)
    app = open_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        for rpd in (1, 2, 3):
            set_rpd(app, rpd)
            await pilot.press("ctrl+s")
            assert not app.active_view().doc.dirty, "written at once, in the key's own handler"
            assert app.screen is app.screen_stack[0] and len(app.screen_stack) == 1
            assert rpd_of(mine) == rpd


async def test_close_and_save_over_an_outside_change_asks_too(saves):
    mine = user_file(saves)
    app = open_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        set_rpd(app, 4242)
        outside_edit(mine, 31337)
        await pilot.press("ctrl+w")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ChangedOnDisk))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.screen_stack[0])
        assert rpd_of(mine) == 31337 and len(app.views()) == 1, "not saved, so the tab stays open"


# --- noticing an outside change: focus back in the terminal, a tab shown ------------------------------


async def test_focus_back_offers_to_reload_a_tab_with_no_edits(saves):
    mine = user_file(saves)
    app = open_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(events.AppFocus())
        await pilot.pause()
        assert app.screen is app.screen_stack[0], "nothing changed: nothing to say"
        outside_edit(mine, 777)
        app.post_message(events.AppFocus())
        await until(pilot, lambda: isinstance(app.screen, ChangedOnDisk))
        assert [btn.id for btn in app.screen.query(Button)] == ["reload", "cancel"]
        await pilot.press("escape")  # keep the tab as it is
        await until(pilot, lambda: app.screen is app.screen_stack[0])
        assert "kept this tab" in status(app)
        app.post_message(events.AppFocus())
        await pilot.pause()
        assert app.screen is app.screen_stack[0], "told once per change"
        # ctrl+s on the kept tab would write over the change: it asks.
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ChangedOnDisk))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.screen_stack[0])
        outside_edit(mine, 888)  # a new change is offered again
        app.post_message(events.AppFocus())
        await until(pilot, lambda: isinstance(app.screen, ChangedOnDisk))
        await pilot.press("r")
        await until(pilot, lambda: app.active_view().doc.scenario.workload.requests_per_day == 888)
        assert not app.active_view().doc.dirty and "reloaded" in status(app)
        assert "kept in" not in status(app) and recovery.scan() == []  # no edits: no copy


async def test_focus_back_with_unsaved_edits_says_ctrl_s_will_ask(saves):
    mine = user_file(saves)
    app = open_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        set_rpd(app, 4242)
        outside_edit(mine, 777)
        app.post_message(events.AppFocus())
        await until(pilot, lambda: "changed on disk: ctrl+s will ask" in status(app))
        assert app.screen is app.screen_stack[0] and app.active_view().doc.dirty


async def test_showing_a_tab_offers_to_reload_its_changed_file(saves):
    first, second = user_file(saves, "first.toml"), user_file(saves, "second.toml")
    app = WorkbenchApp([Document.open(first), Document.open(second)])
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.active_view() is app.views()[0] and app.focused is not None)
        outside_edit(second, 4321)
        await pilot.press("greater_than_sign")
        await until(pilot, lambda: app.active_view() is app.views()[1])
        await until(pilot, lambda: isinstance(app.screen, ChangedOnDisk))
        assert "second.toml changed on disk" in app.screen.message
        await pilot.press("r")
        await until(pilot, lambda: app.active_view().doc.scenario.workload.requests_per_day == 4321)
        assert app.active_view() is app.views()[1]


async def test_a_deleted_file_is_said_and_ctrl_s_writes_it_again(saves):
    mine = user_file(saves)
    app = open_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        mine.unlink()
        app.post_message(events.AppFocus())
        await until(pilot, lambda: "deleted on disk: ctrl+s writes it again" in status(app))
        set_rpd(app, 99)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not app.active_view().doc.dirty)
        assert app.screen is app.screen_stack[0] and rpd_of(mine) == 99


async def test_two_instances_on_one_preset_ask_before_writing_over_each_others_copy(saves):
    """A preset tab saves under saves/: the second instance to save finds the first one's file there."""
    a, b = make_app("starter"), make_app("starter")
    ours = saves / "starter.toml"
    async with a.run_test(size=(80, 24)) as pa, b.run_test(size=(80, 24)) as pb:
        await settled(pa, a)
        await settled(pb, b)
        set_rpd(a, 1111)
        set_rpd(b, 2222)
        await pa.press("ctrl+s")
        await until(pa, lambda: not a.active_view().doc.dirty)
        assert rpd_of(ours) == 1111
        await pb.press("ctrl+s")
        await until(pb, lambda: isinstance(b.screen, Confirm))
        assert b.screen.message == f"{ours} exists. Overwrite it with this tab?"
        await pb.press("s")
        await until(pb, lambda: not b.active_view().doc.dirty)
        assert rpd_of(ours) == 2222
        # A's tab now has a file of its own, which B wrote over: A's next save asks.
        set_rpd(a, 3333)
        await pa.press("ctrl+s")
        await until(pa, lambda: isinstance(a.screen, ChangedOnDisk))
        await pa.press("o")
        await until(pa, lambda: not a.active_view().doc.dirty)
        assert rpd_of(ours) == 3333
