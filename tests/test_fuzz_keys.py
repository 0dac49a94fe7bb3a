"""Keys, fuzzed (issue 7, part 3).

A pilot session presses 5,000 random keys (fixed seed) across every screen, grid and dialog: the keys of
every binding the app, the tabs, the grids and the dialogs declare, plus letters, digits, punctuation,
arrows, Enter, Esc, space, function keys and control keys. Keys arrive as a fast typist delivers them:
queued without waiting, except that after a key that opens a dialog the next ones wait until it is on
screen. After every 50 keys:

- the app is still running (no exception reached it) and every open scenario still validates, and its
  numbers are finite;

and at the end, what is on disk is exactly what was saved: the presets are byte for byte unchanged,
the user's file changed only if a save of it went through, and every scenario file the session wrote
is one the session saved, holding the scenario that was saved last. Quitting is swallowed (the session
goes on) so that the keys keep coming; saves outside the test's folder are refused by the harness.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import unicodedata
from pathlib import Path

from fuzzing import assert_finite
from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

from workbench.model.scenario import Scenario
from workbench.session import document, recovery
from workbench.session.document import Document
from workbench.store import files
from workbench.tui.app import WorkbenchApp

ROOT = Path(__file__).resolve().parent.parent
SEED = 20240607
KEYS = 5000
BATCH = 50  # keys between two checks of the invariants
MAX_TABS = 3  # ctrl+d and ctrl+t keep opening tabs; beyond this many the harness opens no more

NAV = [
    "up",
    "down",
    "left",
    "right",
    "h",
    "j",
    "k",
    "l",
    "tab",
    "shift+tab",
    "home",
    "end",
    "pageup",
    "pagedown",
]
TYPING = list("0123456789.-$k%eMx ,_") + ["backspace", "delete", "ctrl+u", "a", "b", "z", "é", "/"]
COMMIT = ["enter", "enter", "escape", "escape", "space", "space"]
EDITS = ["e", "y", "p", "u", "ctrl+z", "ctrl+y", "a", "D", "C", "r", "d", "s", "c"]
PANES = [
    "f1",
    "f2",
    "f3",
    "f4",
    "f5",
    "f6",
    "f7",
    "f8",
    "f9",
    "f10",
    "f11",
    "o",
    "m",
    "less_than_sign",
    "greater_than_sign",
    "left_square_bracket",
    "right_square_bracket",
    "T",
    "M",
    "U",
]
DIALOGS = [
    "ctrl+t",
    "ctrl+o",
    "ctrl+a",
    "ctrl+r",
    "ctrl+p",
    "question_mark",
    "E",
    "P",
    "S",
    "x",
    "ctrl+d",
    "ctrl+w",
    "ctrl+s",
    "q",
    "ctrl+q",
    "ctrl+c",
    "R",
]
# Keys after which the next ones wait for the screen: those that open a dialog.
SCREEN_KEYS = set(DIALOGS)
WEIGHTED = [(NAV, 30), (TYPING, 30), (COMMIT, 14), (EDITS, 12), (PANES, 4), (DIALOGS, 3)]


def random_keys(rng: random.Random, n: int) -> list[str]:
    groups = [g for g, _ in WEIGHTED]
    weights = [w for _, w in WEIGHTED]
    return [rng.choice(rng.choices(groups, weights)[0]) for _ in range(n)]


class FuzzedApp(WorkbenchApp):
    """The app with quitting swallowed, so the session goes on whatever the keys ask for, and at most
    MAX_TABS tabs."""

    CSS_PATH = str(ROOT / "workbench" / "tui" / "app.tcss")  # relative paths resolve next to the subclass
    quits = 0

    def open_doc(self, doc: Document) -> None:
        if len(self.views()) < MAX_TABS:  # ctrl+d and ctrl+t keep opening tabs; each one slows every key
            super().open_doc(doc)

    def exit(self, *args, **kwargs) -> None:  # noqa: D102
        self.quits += 1
        if not self.views():
            self.open_doc(
                Document(files.load(ROOT / "presets" / "starter.toml"), ROOT / "presets" / "starter.toml")
            )


def send_keys(app, keys: list[str]) -> None:
    """Queue key events the way the terminal delivers them when someone types fast: no wait between them."""
    for key in keys:  # as App._press_keys (what pilot.press uses), minus the wait after each key
        k = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(k, k)))
        except KeyError:
            char = k if len(k) == 1 else None
        event = events.Key(k, char)
        event.set_sender(app)
        app._driver.send_message(event)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.toml"))}


async def test_five_thousand_random_keys(tmp_path, monkeypatch):
    saves = tmp_path / "saves"
    saves.mkdir()
    work = tmp_path / "cwd"  # a save-as path typed by the keys lands here
    work.mkdir()
    monkeypatch.setenv("WORKBENCH_SAVES", str(saves))
    monkeypatch.chdir(work)
    presets_before = digest(ROOT / "presets")
    mine = saves / "mine.toml"
    shutil.copy(ROOT / "presets" / "loan-underwriting-100k.toml", mine)
    mine_before = mine.read_bytes()

    saved: dict[Path, Scenario] = {}
    real_save = document.Document.save

    def recording_save(self, target=None):
        where = Path(target) if target is not None else self.save_target()
        if tmp_path.resolve() not in where.resolve().parents:
            raise files.ScenarioError(f"{where}: outside the test's folder (the harness refuses it)")
        out = real_save(self, target)
        saved[Path(out).resolve()] = self.scenario
        return out

    monkeypatch.setattr(document.Document, "save", recording_save)
    docs = [
        Document(files.load(ROOT / "presets" / "starter.toml"), ROOT / "presets" / "starter.toml"),
        Document(files.load(mine), mine),
    ]
    app = FuzzedApp(docs)
    rng = random.Random(SEED)
    pressed = 0
    log: list[str] = []  # the last batches and the screen they started on, printed if the app fails
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            while pressed < KEYS:
                batch = random_keys(rng, BATCH)
                log = [*log[-2:], f"{type(app.screen).__name__} {app.focused!r}: {batch}"]
                # A fast typist: keys flow without waiting, except that after a key that opens a dialog
                # the next ones wait until it is on screen, as a person waits to see a dialog before
                # typing into it.
                start = 0
                for i, key in enumerate(batch):
                    if key in SCREEN_KEYS:
                        send_keys(app, batch[start : i + 1])
                        await pilot.pause()
                        start = i + 1
                send_keys(app, batch[start:])
                pressed += len(batch)
                await pilot.pause()
                assert app.is_running and app._exception is None, f"after {pressed} keys: {app._exception!r}"
                for view in app.views():
                    s = view.doc.scenario
                    assert Scenario.model_validate(files.to_dict(s)) == s, (
                        f"{view.doc.title} after {pressed} keys"
                    )
            screens = {type(s).__name__ for s in app._screen_stack}
            for view in app.views():
                assert_finite(view.doc.analysis())
    except BaseException:
        print("\nlast batches:\n" + "\n".join(log))
        raise
    print(
        f"\npressed {pressed} keys; {len(saved)} files saved; quit asked {app.quits} times; last screens {screens}"
    )
    assert pressed >= 5000
    # What is on disk: presets untouched; the user's file changed only through a save; every scenario
    # file written is one that was saved, holding the scenario saved last.
    assert digest(ROOT / "presets") == presets_before
    if mine.resolve() not in saved:
        assert mine.read_bytes() == mine_before
    written = {p.resolve() for p in tmp_path.rglob("*.toml") if p != mine}
    assert written <= set(saved), f"files written without a save: {written - set(saved)}"
    for path, scenario in saved.items():
        assert files.load(path) == scenario, path
    for copy in recovery.folder().glob("*.toml"):
        files.load(copy)  # recovery copies are whole scenario files too
