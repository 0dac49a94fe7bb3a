"""Text from a file is text (issue 16, item 2): every string field of a scenario, taken from the schema
(a field added later is covered without touching this file), gets each kind of hostile text.

- Names and labels (scenario.Label fields) refuse control characters at validation, in one line that
  names the key and the character.
- Free text (every other string field) is accepted; wherever it is shown its control characters are
  placeholders (fmt.shown), and no raw ESC, BEL, C1 control or bidi character reaches the CLI's bytes.
- Rich markup is shown as the characters it is, in the CLI and in the TUI.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from pathlib import Path

import pytest
import tomli_w
from helpers import PRESETS, run_cli, screen_lines, until

from workbench.cli.run import main
from workbench.model import fmt
from workbench.model import scenario as sc
from workbench.store import files

CONTROLS = {
    "csi": "a\x1b[2J\x1b[31mred",
    "osc-title": "\x1b]0;PWNED\x07evil",
    "osc52": "x\x1b]52;c;cHduZWQ=\x07y",
    "bel": "ding\x07dong",
    "c1-csi": "a\x9b31mred",
    "bidi": "abc\u202edcba \u2066x\u2069",
    "c0-del": "a\x01b\x08c\x7fd\x0be\x0cf\rg\th",
}
MARKUP = {
    "unclosed": "[bold red]x",
    "close": "[/]",
    "link": "[link=https://evil.example]click[/link]",
}
HOSTILE = {**CONTROLS, **MARKUP}
BASE = files.to_dict(files.load(PRESETS / "starter.toml"))
FORMATS = ("table", "json", "csv", "markdown")


def _string_fields() -> list[tuple[tuple, bool]]:
    """(location, is a label) of every string field of the schema; a list table's first row stands for
    all its rows."""
    out = []
    for model, loc in [(sc.Scenario, ())] + [(m, (t,)) for t, m in sc.TABLES.items()]:
        out += [
            ((*loc, n), sc.is_label(model, n)) for n, f in model.model_fields.items() if f.annotation is str
        ]
    for t, m in sc.LISTS.items():
        out += [((t, 0, n), sc.is_label(m, n)) for n, f in m.model_fields.items() if f.annotation is str]
    return out


FIELDS = _string_fields()
LABELS = [loc for loc, label in FIELDS if label]
FREE = [loc for loc, label in FIELDS if not label]


def _get(data: dict, loc: tuple):
    for part in loc:
        data = data[part]
    return data


def _longest(loc: tuple) -> int | None:
    model = sc.model_at(loc)
    assert model is not None
    return next(
        (m.max_length for m in model.model_fields[loc[-1]].metadata if hasattr(m, "max_length")), None
    )


def _set(data: dict, loc: tuple, value: str) -> None:
    """Set a key, the value cut to the field's longest (the currency's 12 characters)."""
    box = _get(data, loc[:-1])
    box[loc[-1]] = value[: _longest(loc)]


def _renamed(data: dict, old: str, new: str):
    """Every string equal to `old` made `new` (a row renamed with every reference to it)."""
    if isinstance(data, dict):
        return {k: _renamed(v, old, new) for k, v in data.items()}
    if isinstance(data, list):
        return [_renamed(v, old, new) for v in data]
    return new if data == old else data


def _write(tmp_path: Path, data: dict, name: str = "hostile.toml") -> Path:
    f = tmp_path / name
    f.write_text(tomli_w.dumps(data), encoding="utf-8")
    return f


def _run(capsysbinary, *argv: str) -> tuple[int, str, str]:
    """The CLI in this process: exit code, and stdout and stderr checked byte by byte and decoded."""
    code = main(list(argv))
    out, err = capsysbinary.readouterr()
    for stream in (out, err):
        _assert_inert(stream.decode("utf-8"))
    return code, out.decode("utf-8"), err.decode("utf-8")


def _assert_inert(text: str) -> None:
    """No character that steers a terminal or reorders text: no C0 control but the newline, no DEL, no C1
    control, no bidi or other format character (but the zero-width joiner of emoji)."""
    bad = [ch for ch in text if ch != "\n" and ch != "\u200d" and unicodedata.category(ch) in ("Cc", "Cf")]
    assert not bad, sorted({f"U+{ord(ch):04X}" for ch in bad})


def test_the_schema_has_labels_and_free_text():
    """The split this file relies on: names, references, ids and the currency are labels; descriptions,
    sources and notes are free text."""
    assert {
        ("name",),
        ("currency",),
        ("options", 0, "name"),
        ("options", 0, "model"),
        ("risks", 0, "id"),
    } <= set(LABELS)
    assert {("description",), ("workload", "source"), ("options", 0, "throughput_source")} <= set(FREE)
    assert ("risks", 0, "note") in FREE and len(LABELS) >= 10


@pytest.mark.parametrize("kind", CONTROLS)
@pytest.mark.parametrize("loc", LABELS, ids=lambda loc: ".".join(map(str, loc)))
def test_a_label_refuses_control_characters_in_one_line(tmp_path, capsysbinary, monkeypatch, loc, kind):
    monkeypatch.chdir(tmp_path)
    data = copy.deepcopy(BASE)
    _set(data, loc, HOSTILE[kind])
    f = _write(tmp_path, data)
    code, out, err = _run(capsysbinary, "validate", f.name)
    first = fmt.first_control(HOSTILE[kind])
    assert code == 1 and out == ""
    line = err.rstrip("\n")
    assert "\n" not in line, err
    key = f".{loc[-1]}" if len(loc) > 1 else loc[-1]
    assert line.startswith(f"{f.name}: "), line
    assert (
        f"{key}: contains a control character ({fmt.control_name(first)}) (plain text without control characters)"
        in line
    ), line


def test_an_uncertainty_key_refuses_control_characters(tmp_path, capsysbinary, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = copy.deepcopy(BASE)
    data["uncertainty"]["options[\x1b[2J].review_rate"] = {"low": 0.0, "high": 0.1}
    code, _, err = _run(capsysbinary, "validate", _write(tmp_path, data).name)
    assert code == 1 and "contains a control character (ESC, U+001B)" in err and err.count("\n") == 1


@pytest.mark.parametrize("kind", HOSTILE)
def test_free_text_is_accepted_and_shown_inert(tmp_path, capsysbinary, monkeypatch, kind):
    """Every free-text field holds the text at once; validate and report in every format."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    data = copy.deepcopy(BASE)
    for loc in FREE:
        _set(data, loc, HOSTILE[kind])
    f = _write(tmp_path, data)
    assert files.load(f).description == HOSTILE[kind]  # kept exactly as written
    code, out, err = _run(capsysbinary, "validate", f.name)
    assert code == 0 and out.startswith(f"{f.name}: ok"), err
    for form in FORMATS:
        code, out, err = _run(capsysbinary, "report", f.name, "--format", form)
        assert code == 0 and "Traceback" not in err, (form, err)
        if form == "json":  # the exact text, its controls escaped by JSON
            notes = [r.get("note") for r in json.loads(out)["risks"] if r.get("note")]
            assert HOSTILE[kind] in notes
        if form == "markdown":
            assert fmt.shown(HOSTILE[kind]) in out  # the risks' notes, placeholders for controls


@pytest.mark.parametrize("kind", MARKUP)
def test_markup_in_every_label_is_shown_as_written(tmp_path, capsysbinary, monkeypatch, kind):
    """Every label that holds a value is renamed to the markup (with its references), so the scenario
    stays valid; the table shows the markup literally."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    data = copy.deepcopy(BASE)
    for i, loc in enumerate(LABELS):
        for row in range(len(_get(data, loc[:-2]))) if len(loc) == 3 else [None]:
            where = (loc[0], row, loc[2]) if row is not None else loc
            old = _get(data, where)
            if old and not (loc[0] == "risks"):  # a risk id names a catalog entry: it stays one
                data = _renamed(data, old, f"{HOSTILE[kind]}{i}.{row}")
    data["uncertainty"] = {}  # its keys name rows by their old names
    _set(data, ("currency",), HOSTILE[kind])
    f = _write(tmp_path, data)
    code, out, err = _run(capsysbinary, "validate", f.name)
    assert code == 0, err
    for form in FORMATS:
        code, out, err = _run(capsysbinary, "report", f.name, "--format", form)
        assert code == 0 and "Traceback" not in err, (form, err)
        if form == "table":
            assert f"{HOSTILE[kind]}" in out and f"{HOSTILE[kind]}0.None" in out  # the scenario's name


def test_the_table_report_bytes_in_a_child_process(tmp_path):
    """As a user runs it: a description, notes and sources with an OSC title and a clear screen."""
    data = copy.deepcopy(BASE)
    for loc in FREE:
        _set(data, loc, CONTROLS["osc-title"] + CONTROLS["csi"] + CONTROLS["c1-csi"] + MARKUP["unclosed"])
    f = _write(tmp_path, data)
    for args in (("validate", str(f)), ("report", str(f)), ("report", str(f), "--format", "markdown")):
        r = run_cli(*args, env={"COLUMNS": "200"})
        assert r.returncode == 0, r.stderr
        _assert_inert(r.stdout + r.stderr)
    assert "␛]0;PWNED␇evil" in r.stdout  # the markdown's notes: the Control Pictures


def test_shown_keeps_newlines_only_where_asked_and_one_character_for_one():
    text = "a\x1bb\nc\x9bd\u202ee\u200df"
    assert fmt.shown(text) == "a␛b␊c\ufffdd\ufffde\u200df"
    assert fmt.shown(text, lines=True) == "a␛b\nc\ufffdd\ufffde\u200df"
    assert len(fmt.shown(text)) == len(text)
    assert json.loads(fmt.json_text({"k": text})) == {"k": text}
    _assert_inert(fmt.json_text({"k": text}).replace("\u200d", ""))


# --- the TUI ------------------------------------------------------------------------------------------
def _tui_file(tmp_path: Path) -> Path:
    """Each free-text field holds every control kind and markup; the names hold markup."""
    data = copy.deepcopy(BASE)
    text = "".join(CONTROLS.values()) + " " + " ".join(MARKUP.values())
    for loc in FREE:
        for row in range(len(_get(data, loc[:-2]))) if len(loc) == 3 else [None]:
            _set(data, (loc[0], row, loc[2]) if row is not None else loc, text[:480])
    for o in data["options"]:
        data = _renamed(data, o["name"], f"[bold red]{o['name']}")
    data["uncertainty"] = {}
    return _write(tmp_path, data)


async def test_the_tui_shows_text_as_text(tmp_path):
    from workbench.session.document import Document
    from workbench.tui.app import WorkbenchApp

    f = _tui_file(tmp_path)
    app = WorkbenchApp([Document(files.load(f), f)])
    seen = []
    async with app.run_test(size=(220, 50)) as pilot:
        view = app.active_view()
        await until(pilot, lambda: view.query("#grid-options"))
        for pane in ("pricing", "workload", "options", "results", "plots", "risks"):
            view.action_pane(pane)
            await pilot.pause()
            lines = screen_lines(app)
            for line in lines:
                _assert_inert(line)
            seen.append("\n".join(lines))
        view.query_one(
            "#risk-table"
        ).focus()  # the risks pane is in front: Enter edits the note under the cursor
        await pilot.press("enter")
        await until(pilot, lambda: view.editing_path is not None)
        editor = "\n".join(screen_lines(app))
        await pilot.press("escape")
        view.status("status: " + CONTROLS["osc-title"] + MARKUP["unclosed"])
        await pilot.pause()
        status = "\n".join(screen_lines(app))
        assert app.return_code in (None, 0)
    shown = "\n".join(seen)
    assert "[bold red]Fine-tuned" in shown or "[bold red]" in shown  # option names, literally
    assert "␛]0;PWNED␇evil" in shown  # sources and notes: the placeholders
    assert "[link=https://evil.example]" in shown
    assert "status: ␛]0;PWNED␇evil[bold red]x" in status
    assert "␊" not in shown  # the text holds no newline: a two-line header stays two lines
    _assert_inert(status)
    _assert_inert(editor)
    assert "= a␛[2J␛[31mred␛]0;PWNED" in editor  # the note's editor shows the placeholders too


async def test_file_names_in_tabs_compare_and_split_are_text(tmp_path):
    """A file's own name may hold an escape sequence or markup: the tab strip, the Compare tab and the
    Split view show it as text."""
    from textual.widgets import TabbedContent

    from workbench.session.document import Document
    from workbench.tui.app import WorkbenchApp

    names = ["t\x1b]0;PWNED\x07.toml", "[bold red]u\x9b2J.toml"]
    docs = []
    for name in names:
        f = _write(tmp_path, copy.deepcopy(BASE), name)
        docs.append(Document(files.load(f), f))
    app = WorkbenchApp(docs)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.active_view() is not None)
        first = "\n".join(screen_lines(app))
        await pilot.press("m")
        await until(pilot, lambda: app.query_one("#tabs", TabbedContent).active == "compare")
        await pilot.pause()
        compare = "\n".join(screen_lines(app))
        await pilot.press("backslash")
        await until(pilot, lambda: app.query_one("#tabs", TabbedContent).active == "split")
        await pilot.pause()
        split = "\n".join(screen_lines(app))
        assert app.return_code in (None, 0)
    for screen in (first, compare, split):
        _assert_inert(screen)
    assert "t␛]0;PWNED␇" in first and "[bold red]u\ufffd2J" in first
    assert "t␛]0;PWNED␇" in compare and "[bold red]u" in compare
    assert "t␛]0;PWNED␇" in split


async def test_a_tab_is_not_renamed_to_a_control_character(tmp_path):
    """ctrl+r renames a tab; a name holding a control character (pasted, or typed by a burst of keys) is
    refused on the status line and the tab keeps its name."""
    from workbench.session.document import Document
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.screens.dialogs import TextPrompt

    f = _write(tmp_path, copy.deepcopy(BASE), "mine.toml")
    app = WorkbenchApp([Document(files.load(f), f)])
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.active_view() is not None)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        prompt = app.screen.query_one("#prompt-input")
        prompt.value = "new\x1b[2Jname"
        await pilot.press("enter")
        view = app.active_view()
        await until(pilot, lambda: "tab not renamed" in str(view.query_one("#status").render()))
        assert "a control character (ESC, U+001B)" in str(view.query_one("#status").render())
        assert view.doc.title == "mine"
