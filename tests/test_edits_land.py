"""Edits land where they were typed, names are looked up exactly, and text from a file is never markup.

The small failures an attacker's pass found: an edit that a resize interrupted was glued to the next one
(`888`, shrink, enlarge, `555` gave 888555); `--option api` took `API` when both exist; an option named
`[/]close` passed validation and crashed the TUI at start with exit code 0; a file name that is not UTF-8
ended `validate` in a traceback on a strict UTF-8 stdout; an empty key read `FILE: : unknown key`; an empty
file's report said "Recommendation: step 1, None".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from helpers import STARTER, make_app, run_cli, until

from workbench.model import explain, lookup, report, sensitivity
from workbench.session.document import Document
from workbench.store import files
from workbench.tui.app import WorkbenchApp
from workbench.tui.view import EditBar


# --- an edit a resize interrupts ------------------------------------------------------------------
async def test_resize_below_minimum_cancels_the_open_edit(tmp_path):
    app = make_app("starter")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.active_view()
        await until(pilot, lambda: view.query("#grid-workload"))
        view.action_pane("workload")
        await pilot.pause()
        grid = view.query_one("#grid-workload")
        grid.focus()
        grid.move_cursor(row=grid._rows.index(("workload", "requests_per_day")))
        await pilot.pause()
        await pilot.press("8", "8", "8")
        await until(pilot, lambda: view.query_one(EditBar).display)
        await pilot.resize_terminal(40, 10)
        await until(pilot, lambda: app.screen_stack[0].has_class("too-small"))
        await until(pilot, lambda: not view.query_one(EditBar).display)
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: not app.screen_stack[0].has_class("too-small") and app.focused is grid)
        await until(pilot, lambda: "edit cancelled" in str(view.query_one("#status").render()))
        assert "888" in str(view.query_one("#status").render())
        await pilot.press("5", "5", "5", "enter")
        await until(pilot, lambda: view.doc.scenario.workload.requests_per_day == 555)
        assert view.doc.scenario.workload.requests_per_day == 555  # not 888555


# --- one option resolver ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "expected"),
    [("api", 0), ("API", 1), ("2", 1), ("Fine", 2), ("fine-tuned", 2), ("3", 2), (" api ", 0)],
)
def test_lookup_is_exact_first(typed, expected):
    assert lookup.resolve(["api", "API", "Fine-tuned 8B"], typed) == expected


@pytest.mark.parametrize("typed", ["Api", "a", "zzz", "0", "4", ""])
def test_lookup_refuses_what_is_ambiguous_or_absent(typed):
    with pytest.raises(lookup.LookupFailed) as info:
        lookup.resolve(["api", "API", "Fine-tuned 8B"], typed)
    msg = str(info.value)
    assert "\n" not in msg
    assert ("ambiguous" in msg) == (typed in ("Api", "a"))


def test_an_option_named_as_a_number_wins_over_the_number():
    assert lookup.resolve(["x", "y", "1"], "1") == 2


def _two_apis():
    s = files.load(STARTER)
    data = s.model_dump(mode="python")
    data["options"][0]["name"], data["options"][1]["name"] = "api", "API"
    return type(s).model_validate(data)


def test_sensitivity_and_explain_take_the_exact_option():
    s = _two_apis()
    assert sensitivity.sensitivity(s, option="api", against="API").option == "api"
    assert sensitivity.sensitivity(s, option="API", against="api").option == "API"
    with pytest.raises(sensitivity.SensitivityError, match="ambiguous"):
        sensitivity.sensitivity(s, option="Api")
    a = report.analyze(s)
    assert explain.resolve_option(a.results, "API") == 1
    with pytest.raises(explain.ExplainError, match="ambiguous"):
        explain.resolve_option(a.results, "Api")


def test_cli_sensitivity_refuses_an_ambiguous_option(tmp_path):
    f = tmp_path / "two.toml"
    files.save(_two_apis(), f)
    r = run_cli("sensitivity", str(f), "--option", "Api")
    assert r.returncode == 1, r
    assert "ambiguous" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("sensitivity", str(f), "--option", "API", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert '"option": "API"' in r.stdout


# --- text from a file is text ------------------------------------------------------------------------
def _hostile(tmp_path: Path) -> Path:
    """The starter preset with every name (scenario, API models, GPUs, options) and the currency made of
    Rich markup that does not close; every reference to a renamed row follows it."""
    s = files.load(STARTER)
    names = [s.name] + [r.name for r in (*s.api_models, *s.gpus)] + [o.name for o in s.options]
    text = STARTER.read_text("utf-8").split("\n[uncertainty]")[0] + "\n"  # the last table: ranges dropped
    options = {o.name for o in s.options}
    for i, n in enumerate(sorted(set(names), key=len, reverse=True)):
        new = f"[/]close {i} [bold" if n in options else f"[/]{n[:6]} [b red]{i}"
        text = text.replace(f'"{n}"', f'"{new}"')
    text = text.replace('currency = "USD"', 'currency = "[/]"')
    f = tmp_path / "hostile.toml"
    f.write_text(text, encoding="utf-8")
    files.load(f)  # valid
    return f


async def test_markup_in_names_is_shown_as_text(tmp_path):
    f = _hostile(tmp_path)
    app = WorkbenchApp([Document(files.load(f), f)])
    async with app.run_test(size=(160, 45)) as pilot:
        view = app.active_view()
        await until(pilot, lambda: view.query("#grid-options"))
        for pane in (
            "pricing",
            "workload",
            "overheads",
            "options",
            "results",
            "ladder",
            "plots",
            "risks",
            "sensitivity",
            "simulation",
        ):
            view.action_pane(pane)
            await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("<")
        await pilot.pause()
        assert app.return_code in (None, 0)
        assert "[/]close" in app.active_view().query_one("#breakdown").border_title.replace("\\", "")


def test_markup_in_names_reports_in_every_format(tmp_path):
    f = _hostile(tmp_path)
    for fmt in ("table", "json", "csv", "markdown"):
        r = run_cli("report", str(f), "--format", fmt, env={"COLUMNS": "200"})
        assert r.returncode == 0, (fmt, r.stderr)
        assert "Traceback" not in r.stderr
    assert "[/]close" in run_cli("report", str(f), env={"COLUMNS": "250"}).stdout


def test_a_crash_in_the_tui_is_not_exit_code_zero(monkeypatch):
    from workbench.tui import app as tui_app

    def boom(self):
        self._return_code = 1  # what Textual sets when the app ends on an unhandled exception

    monkeypatch.setattr(tui_app.WorkbenchApp, "run", boom)
    assert tui_app.run([(STARTER, files.load(STARTER))]) == 1


# --- small ones --------------------------------------------------------------------------------------
def test_a_file_name_that_is_not_utf8_is_printed_escaped(tmp_path):
    if sys.platform == "darwin":
        pytest.skip("macOS file systems refuse names that are not UTF-8")
    name = os.fsdecode(b"bad\xff.toml")
    (tmp_path / name).write_bytes(STARTER.read_bytes())
    strict = {"PYTHONIOENCODING": "utf-8:strict"}
    r = run_cli("validate", name, os.fsdecode(b"missing\xfe.toml"), env=strict, cwd=tmp_path)
    assert r.returncode == 1, r
    assert "Traceback" not in r.stderr
    assert r.stdout.startswith("bad\\xff.toml: ok")
    assert r.stderr.strip() == "missing\\xfe.toml: no such file (a path to a .toml scenario)"


def test_an_empty_key_is_named_as_toml_writes_it(tmp_path):
    f = tmp_path / "k.toml"
    f.write_text('name = "x"\n"" = 1\n[workload]\n" padded " = 2\n', encoding="utf-8")
    r = run_cli("validate", str(f))
    assert r.returncode == 1
    assert f'{f}: "": unknown key' in r.stderr
    assert '[workload]." padded ": unknown key' in r.stderr


def test_an_empty_file_recommends_nothing(tmp_path):
    f = tmp_path / "empty.toml"
    f.write_text("", encoding="utf-8")
    out = run_cli("report", str(f)).stdout
    assert "Recommendation: none" in out
    assert "None" not in out
