"""Every dialog is dismissed once, whatever arrives before it closes (issue 16, part 3), in the pilot.

Keys that arrive in one burst queue a dialog's second answer before its first has closed it. Textual's
`Screen.dismiss` then pops whatever screen is in front: the dialog under it, or, when a screen opened
over the dialog meanwhile (the command palette), it calls the dialog's callback a second time and the app
ends with `InvalidStateError: invalid state`. textual_fixes.Dialog keeps the first answer. The same keys
on a real terminal: tests/test_key_bursts.py.
"""

from __future__ import annotations

from helpers import make_app, until
from test_fuzz_keys import send_keys
from textual.widgets import OptionList

from workbench.tui.screens import dialogs
from workbench.tui.screens.dialogs import Confirm, OpenPicker, PresetPicker, TextPrompt
from workbench.tui.textual_fixes import SafeCommandPalette


def selected_twice(picker: PresetPicker | OpenPicker) -> None:
    """An option chosen twice before the picker closed: two selections queued in one go."""
    ol = picker.query_one(OptionList)
    for _ in range(2):
        picker.post_message(OptionList.OptionSelected(ol, ol.get_option_at_index(0), 0))


async def test_an_option_selected_twice_opens_one_tab(saves):
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        for action in ("new_tab", "open_file"):
            before = len(app.views())
            await app.run_action(action)
            await until(
                pilot, lambda: isinstance(app.screen, PresetPicker | OpenPicker) and app.screen.is_mounted
            )
            selected_twice(app.screen)
            await until(pilot, lambda n=before + 1: len(app.views()) == n)
            await pilot.pause()
            assert len(app.views()) == before + 1 and len(app.screen_stack) == 1
        assert app._exception is None


async def test_a_picker_answered_under_the_palette_keeps_its_one_answer(saves):
    """The palette opened over the picker in the same burst: the picker's answers do not reach it (it
    is not in front), nor close the palette; the picker is answered once the palette has gone."""
    app = make_app("starter")
    opened: list[object] = []
    async with app.run_test(size=(80, 24)) as pilot:
        picker = PresetPicker()
        app.push_screen(picker, opened.append)
        await until(pilot, lambda: picker.is_mounted)
        app.action_command_palette()
        await until(pilot, lambda: isinstance(app.screen, SafeCommandPalette))
        selected_twice(picker)
        await pilot.pause()
        await pilot.pause()
        assert opened == [] and isinstance(app.screen, SafeCommandPalette)
        send_keys(app, ["escape", "enter", "escape"])  # closes the palette, answers the picker, then nothing
        await until(pilot, lambda: len(app.screen_stack) == 1)
        await until(pilot, lambda: len(opened) == 1)
        await pilot.pause()
        assert len(opened) == 1 and app._exception is None


async def test_escape_and_enter_in_one_burst_answer_once(saves, monkeypatch):
    """Escape and Enter on the close-tab question: the first answer (cancel) is the one taken; the tab
    and its edit stay, and nothing else is closed."""
    app = make_app("starter", "loan-underwriting-100k")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.active_view() is not None)
        view = app.active_view()
        assert view is not None
        view.doc.title = "edited"
        monkeypatch.setattr(type(view.doc), "dirty", property(lambda self: True))
        app.action_close_tab()
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        send_keys(app, ["escape", "enter", "d"])
        await until(pilot, lambda: len(app.screen_stack) == 1)
        for _ in range(5):
            await pilot.pause()
        assert len(app.views()) == 2 and app._exception is None


async def test_a_dialog_dismissed_twice_calls_back_once(saves):
    """Straight at the method: a second dismiss is dropped, and pops nothing."""
    app = make_app("starter")
    answers: list[object] = []
    async with app.run_test(size=(80, 24)) as pilot:
        under, over = TextPrompt("first"), TextPrompt("second")
        app.push_screen(under, answers.append)
        app.push_screen(over, answers.append)
        await pilot.pause()
        over.dismiss("a")
        over.dismiss("b")
        await pilot.pause()
        assert answers == ["a"] and app.screen is under
        under.dismiss("c")
        await pilot.pause()
        assert answers == ["a", "c"] and len(app.screen_stack) == 1


async def test_a_tab_closed_before_its_dialog_answers_takes_nothing(saves):
    """A rename asked for a tab that is closed before the answer comes: the answer is dropped."""
    app = make_app("starter", "loan-underwriting-100k")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.active_view() is not None)
        view = app.active_view()
        assert view is not None
        app.action_rename_tab()
        await until(pilot, lambda: isinstance(app.screen, dialogs.TextPrompt))
        prompt = app.screen
        await app.query_one("#tabs").remove_pane(view.tab_id)  # type: ignore[attr-defined]
        prompt.dismiss("renamed")
        for _ in range(5):
            await pilot.pause()
        assert [v.doc.title for v in app.views()] != ["renamed"] and app._exception is None


async def test_a_dialog_key_pressed_twice_opens_one_dialog(saves):
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.active_view() is not None)
        for keys in (["ctrl+o", "ctrl+o"], ["ctrl+t", "ctrl+t"], ["ctrl+r", "ctrl+r"], ["E", "E"]):
            send_keys(app, keys)
            await until(pilot, lambda: len(app.screen_stack) > 1)
            for _ in range(5):
                await pilot.pause()
            assert len(app.screen_stack) == 2, keys
            send_keys(app, ["escape"])
            await until(pilot, lambda: len(app.screen_stack) == 1)
        assert app._exception is None
