"""Saves go where the user said (issue: saves, recovery and served sessions).

Save-as asks before writing over a file and keeps the typed name (adding `.toml` only when there is no
extension, and saying so); a tab with no file asks where ctrl+s saves; in a served session
(WORKBENCH_SERVED=1, set by `workbench serve`) saving, opening and exporting stay inside the saves and
presets folders, plus the files the app was started on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import PRESETS, ROOT, make_app, until, user_file

from workbench.session.document import Document
from workbench.store import files, paths
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.dialogs import Confirm, OpenPicker, TextPrompt

STARTER = PRESETS / "starter.toml"  # the shipped preset (what the app opens), not the frozen v1 copy


def status(app) -> str:
    return str(app.active_view().query_one("#status").render())


def edit(app, rpd: float = 4242.0) -> None:
    view = app.active_view()
    s = view.doc.scenario
    view.commit(
        s.model_copy(update={"workload": s.workload.model_copy(update={"requests_per_day": rpd})}), "edit"
    )


async def save_as(pilot, app, typed: str) -> None:
    await pilot.press("ctrl+a")
    await until(pilot, lambda: isinstance(app.screen, TextPrompt))
    app.screen.query_one("#prompt-input").value = typed
    await pilot.press("enter")
    await until(pilot, lambda: not isinstance(app.screen, TextPrompt))


def test_save_as_target_keeps_the_typed_name():
    assert paths.save_as_target("report") == (Path("report.toml"), True)
    assert paths.save_as_target("report.txt") == (Path("report.txt"), False)
    assert paths.save_as_target("  a/b.toml ") == (Path("a/b.toml"), False)
    for bad in ("", "saves/", "..", "a\x00b"):
        with pytest.raises(ValueError):
            paths.save_as_target(bad)


async def test_save_as_keeps_the_extension_and_adds_toml_only_without_one(saves, monkeypatch):
    monkeypatch.chdir(saves)
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        edit(app)
        await save_as(pilot, app, "report.txt")
        await until(pilot, lambda: not app.active_view().doc.dirty)
        assert files.load(saves / "report.txt").workload.requests_per_day == 4242
        assert not (saves / "report.toml").exists() and "(added" not in status(app)
        assert "saved as report.txt" in status(app)
        assert "presets stay as shipped" not in status(app), (
            "the user typed where; ctrl+s did not choose saves/"
        )
        edit(app, 5)
        await save_as(pilot, app, "plan")
        await until(pilot, lambda: not app.active_view().doc.dirty)
        assert files.load(saves / "plan.toml").workload.requests_per_day == 5
        assert "saved as plan.toml (added .toml)" in status(app)
        assert app.active_view().doc.path == Path("plan.toml")
        await save_as(pilot, app, "somewhere/")  # a folder, not a file name
        assert "is a folder" in status(app)
        (saves / "sub").mkdir()
        await save_as(pilot, app, "sub")
        assert "is a folder" in status(app) and not (saves / "sub.toml").exists()


async def test_save_as_asks_before_overwriting(saves):
    other = user_file(saves, "other.toml")
    text = saves / "report.txt"
    text.write_text("quarterly notes, not a scenario\n", "utf-8")
    before_other, before_text = other.read_bytes(), text.read_bytes()
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        edit(app)
        await save_as(pilot, app, str(other))
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert app.screen.message == f"{other} exists. Overwrite it with this tab?"
        assert not app.screen.query("#discard"), "overwrite or cancel: nothing to discard"
        await pilot.press("d")  # not a choice here
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Confirm))
        assert other.read_bytes() == before_other and app.active_view().doc.dirty
        assert "left as it was" in status(app)

        await save_as(pilot, app, str(text))
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert app.screen.message == f"{text} exists and is not a scenario file: overwrite it?"
        await pilot.press("c")
        await until(pilot, lambda: not isinstance(app.screen, Confirm))
        assert text.read_bytes() == before_text

        await save_as(pilot, app, str(other))
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("s")
        await until(pilot, lambda: not app.active_view().doc.dirty)
        assert files.load(other).workload.requests_per_day == 4242
        # Save-as onto the tab's own file is a plain save: nothing to ask.
        edit(app, 7)
        await save_as(pilot, app, str(other))
        await until(pilot, lambda: not app.active_view().doc.dirty)
        assert files.load(other).workload.requests_per_day == 7


async def test_ctrl_s_asks_where_for_a_tab_with_no_file_and_before_overwriting(saves):
    (saves / "starter-copy.toml").write_text("not mine to lose\n", "utf-8")
    before = (saves / "starter-copy.toml").read_bytes()
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        await until(pilot, lambda: len(app.views()) == 2 and app.active_view() is app.views()[1])
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        assert "has no file yet" in app.screen.title_text
        assert app.screen.query_one("#prompt-input").value == str(saves / "starter-copy.toml")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert "is not a scenario file" in app.screen.message
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Confirm))
        assert (saves / "starter-copy.toml").read_bytes() == before
        # Closing the tab with "save" asks where too (it used to write saves/<name>.toml unasked).
        await pilot.press("ctrl+w")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        app.screen.query_one("#prompt-input").value = str(saves / "kept")
        await pilot.press("enter")
        await until(pilot, lambda: len(app.views()) == 1)
    assert files.load(saves / "kept.toml") == files.load(STARTER)
    assert (saves / "starter-copy.toml").read_bytes() == before


async def test_ctrl_s_asks_when_its_own_file_is_no_longer_a_scenario(saves):
    mine = user_file(saves)
    app = WorkbenchApp([Document(files.load(mine), mine)])
    async with app.run_test(size=(100, 30)) as pilot:
        edit(app)
        mine.write_text("someone replaced it with notes\n", "utf-8")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert "no longer a scenario file" in app.screen.message
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Confirm))
        assert mine.read_text("utf-8") == "someone replaced it with notes\n"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("s")
        await until(pilot, lambda: not app.active_view().doc.dirty)
    assert files.load(mine).workload.requests_per_day == 4242


async def test_preset_tab_ctrl_s_asks_before_overwriting_its_copy_under_saves(saves):
    ours = user_file(saves, "starter.toml")
    before = ours.read_bytes()
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        edit(app)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert app.screen.message == f"{ours} exists. Overwrite it with this tab?"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Confirm))
        assert ours.read_bytes() == before
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("s")
        await until(pilot, lambda: not app.active_view().doc.dirty)
        assert "presets stay as shipped" in status(app)
    assert files.load(ours).workload.requests_per_day == 4242
    assert files.load(STARTER).workload.requests_per_day != 4242


# --- served sessions ---------------------------------------------------------------------------------


@pytest.fixture
def served(saves, monkeypatch):
    monkeypatch.setenv("WORKBENCH_SERVED", "1")
    return saves


def test_confine_resolves_links_and_dots(served, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (served / "link").symlink_to(outside, target_is_directory=True)
    assert paths.confine(served / "a.toml") is None
    assert paths.confine(STARTER) is None
    for bad in (
        outside / "a.toml",
        served / ".." / "outside" / "a.toml",
        served / "link" / "a.toml",
        Path("/etc/x.toml"),
    ):
        refusal = paths.confine(bad)
        assert (
            refusal
            == f"served session: {bad} is outside; files are kept to {paths.shown(served)}/ and {paths.shown(ROOT / 'presets')}/"
        )
    assert paths.confine(outside / "a.toml", allowed=[outside / "a.toml"]) is None


async def test_served_session_keeps_saves_opens_and_exports_to_the_folders(served, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    elsewhere = user_file(outside, "elsewhere.toml")
    app = make_app("starter")
    async with app.run_test(size=(100, 30)) as pilot:
        edit(app)
        for typed in (
            str(outside / "x.toml"),
            str(served / ".." / "outside" / "y.toml"),
            "/etc/workbench-test",
        ):
            await save_as(pilot, app, typed)
            assert status(app).startswith(
                f"served session: {Path(typed).with_suffix('.toml')} is outside; "
            ), status(app)
        assert sorted(p.name for p in outside.iterdir()) == ["elsewhere.toml"]
        assert not Path("/etc/workbench-test.toml").exists()
        # Opening a file outside: refused in the picker, before saying whether it exists.
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, OpenPicker))
        app.screen.query_one("#open-path").value = str(elsewhere)
        await pilot.press("enter")
        await pilot.pause()
        assert "is outside" in str(app.screen.query_one("#open-error").render())
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, OpenPicker))
        app._open_path(elsewhere)  # and by any other way in
        await pilot.pause()
        assert len(app.views()) == 1 and "is outside" in status(app)
        # Exports go into saves/: allowed.
        written = app.export("markdown")
        assert written and written[0].parent == served and written[0].exists()
        # Save-as inside saves: allowed.
        await save_as(pilot, app, str(served / "kept.toml"))
        await until(pilot, lambda: not app.active_view().doc.dirty)
        assert files.load(served / "kept.toml").workload.requests_per_day == 4242


async def test_served_session_may_save_the_files_it_was_started_on(served, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    theirs = user_file(outside, "theirs.toml")
    app = WorkbenchApp([Document(files.load(theirs), theirs)])
    async with app.run_test(size=(100, 30)) as pilot:
        edit(app)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not app.active_view().doc.dirty)
        assert files.load(theirs).workload.requests_per_day == 4242
        await save_as(pilot, app, str(outside / "sibling.toml"))
        assert "is outside" in status(app) and not (outside / "sibling.toml").exists()
