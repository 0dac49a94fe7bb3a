"""The user config file: each key does what it says, a broken file is one line, and a theme picked in the
palette is remembered in the file with its comments kept."""

from __future__ import annotations

import json
import sys

import pytest
from helpers import PRESETS, ROOT, make_app, run_cli, until
from textual.binding import Binding
from textual.dom import DOMNode
from textual.theme import BUILTIN_THEMES
from textual.widgets import TabbedContent

from workbench.cli.run import main
from workbench.store import config, files, paths


@pytest.fixture(autouse=True)
def user_config(tmp_path, monkeypatch):
    """Every test reads its own config file (none written yet), read afresh."""
    path = tmp_path / "conf" / "config.toml"
    monkeypatch.setenv("WORKBENCH_CONFIG", str(path))
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)
    monkeypatch.delenv("WORKBENCH_SERVED", raising=False)
    config.forget()
    yield path
    config.forget()


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    config.forget()
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# --- the names the file may use -------------------------------------------------------------------------


def test_theme_names_are_textuals():
    assert set(config.THEMES) == set(BUILTIN_THEMES)


def test_binding_ids_are_the_apps():
    import importlib
    import pkgutil

    import workbench.tui

    # Every module of the TUI: the app imports its panes and dialogs on first use, not at its own import.
    for module in pkgutil.walk_packages(workbench.tui.__path__, "workbench.tui."):
        importlib.import_module(module.name)

    def subclasses(cls: type) -> set[type]:
        out = set(cls.__subclasses__())
        return out.union(*(subclasses(c) for c in out)) if out else out

    ids = {
        b.id
        for cls in subclasses(DOMNode)
        if cls.__module__.startswith("workbench.")
        for b in cls.__dict__.get("BINDINGS", [])
        if isinstance(b, Binding) and b.id
    }
    assert set(config.BINDING_IDS) == ids


# --- defaults ------------------------------------------------------------------------------------------


def test_no_file_means_defaults(user_config, capsys):
    cfg = config.current(user_config)
    assert (cfg.exists, cfg.theme, cfg.saves_folder, cfg.currency, cfg.keys) == (False, None, None, None, {})
    code, out, err = run(capsys, "config", "--format", "json")
    assert code == 0 and err == ""
    shown = json.loads(out)
    assert shown["config_file"] == {
        "path": str(user_config),
        "exists": False,
        "source": "environment",
        "from": "WORKBENCH_CONFIG",
    }
    assert shown["theme"] == {"value": "textual-dark", "source": "default", "from": ""}
    assert shown["currency"] == {"value": "USD", "source": "default", "from": ""}
    assert shown["keys"] == {}


def test_config_path_and_text(user_config, capsys):
    assert run(capsys, "config", "--path") == (0, f"{user_config}\n", "")
    write(user_config, 'theme = "nord"\ncurrency = "EUR"\n[keys]\n"app.save" = "f2"\n')
    code, out, _ = run(capsys, "config")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"config file   {user_config} (from WORKBENCH_CONFIG) (exists)"
    assert lines[1].split() == ["theme", "nord", "config", "file"]
    assert lines[3].split() == ["currency", "EUR", "config", "file"]
    assert lines[4].split() == ["keys", "app.save", "=", "f2", "config", "file"]


def test_environment_wins_and_says_so(user_config, tmp_path, monkeypatch, capsys):
    write(user_config, f'saves_folder = "{tmp_path / "from-config"}"\n')
    monkeypatch.setenv("WORKBENCH_SAVES", str(tmp_path / "from-env"))
    shown = json.loads(run(capsys, "config", "--format", "json")[1])
    assert shown["saves_folder"] == {
        "value": str(tmp_path / "from-env"),
        "source": "environment",
        "from": "WORKBENCH_SAVES",
    }
    assert paths.saves_dir() == tmp_path / "from-env"


def test_init_writes_a_starter_once(user_config, capsys):
    assert run(capsys, "config", "--init") == (0, f"wrote {user_config}\n", "")
    assert config.load(user_config).exists  # the starter is a valid config of defaults
    assert config.load(user_config).theme is None
    code, _, err = run(capsys, "config", "--init")
    assert code == 1 and "already exists" in err
    assert user_config.read_text("utf-8") == config.STARTER


# --- each key's effect -----------------------------------------------------------------------------------


def test_saves_folder_is_where_saves_go(user_config, tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_SAVES")
    write(user_config, 'saves_folder = "mine"  # next to the config\n')
    assert paths.saves_dir() == user_config.parent / "mine"
    write(user_config, 'saves_folder = "~/scenarios"\n')
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config.forget()
    assert paths.saves_dir() == tmp_path / "home" / "scenarios"


def test_default_currency_for_files_without_one(user_config, tmp_path, capsys):
    text = (PRESETS / "starter.toml").read_text("utf-8")
    without = tmp_path / "no-currency.toml"
    without.write_text("\n".join(line for line in text.splitlines() if not line.startswith("currency")))
    assert files.load(without).currency == "USD"
    write(user_config, 'currency = "EUR"\n')
    code, out, _ = run(capsys, "report", str(without), "--format", "json")
    assert code == 0 and json.loads(out)["currency"] == "EUR"
    table = run(capsys, "report", str(without))[1]
    assert "months · EUR" in table
    # a file that sets its currency keeps it
    assert (
        json.loads(run(capsys, "report", str(PRESETS / "starter.toml"), "--format", "json")[1])["currency"]
        == files.load(PRESETS / "starter.toml").currency
    )
    # saving writes the label the user saw, so the file says it on any machine
    files.save(files.load(without), tmp_path / "saved.toml")
    assert 'currency = "EUR"' in (tmp_path / "saved.toml").read_text("utf-8")


async def test_theme_and_keys_at_start(user_config, saves):
    write(user_config, 'theme = "nord"\n\n[keys]\n"app.compare" = "f12"\napp.next_tab = "ctrl+n"\n')
    app = make_app("starter", "loan-underwriting-100k")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "nord"
        tabs = app.query_one("#tabs", TabbedContent)
        await until(pilot, lambda: len(app.views()) == 2 and app.focused is not None)
        first = tabs.active
        await pilot.press("ctrl+n")
        await until(pilot, lambda: tabs.active not in (first, "compare"))
        await pilot.press("f12")
        await until(pilot, lambda: tabs.active == "compare")
        keys = dict(next(rows for title, rows in app.help_sections() if title == "Anywhere"))
        assert keys["f12"] == "Show the Compare tab"  # the ? screen lists the key in effect


async def test_theme_picked_is_remembered_with_comments(user_config, saves):
    text = '# my settings\ntheme = "nord"  # a cool one\n\ncurrency = "EUR"\n\n[keys]\n# saving\n"app.save" = "f2"\n'
    write(user_config, text)
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.theme = "gruvbox"  # what the palette's "Change theme" does
        status = app.active_view().query_one("#status")
        await until(pilot, lambda: "theme gruvbox remembered" in str(status.render()))
    assert user_config.read_text("utf-8") == text.replace('"nord"', '"gruvbox"')


async def test_theme_remembered_in_a_new_file(user_config, saves):
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "dracula"
        await pilot.pause()
    assert config.load(user_config).theme == "dracula"


async def test_theme_not_writable_is_said_not_raised(user_config, saves):
    write(user_config, 'theme = "nord"\n')
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        user_config.unlink()
        user_config.parent.rmdir()
        user_config.parent.write_text("a file where the config folder was")
        app.theme = "dracula"
        status = app.active_view().query_one("#status")
        await until(pilot, lambda: "not remembered" in str(status.render()))
        assert app.is_running and app.theme == "dracula"


# --- broken files: one line each ------------------------------------------------------------------------

BROKEN = {
    "unknown key": ('thme = "nord"\n', "thme: unknown key (did you mean 'theme'?)"),
    "bad theme": ('theme = "dracla"\n', "theme: 'dracla' is not a theme (did you mean 'dracula'?)"),
    "bad type": ("theme = 3\n", "theme: wrong type: 3 is a int (a theme name in quotes, e.g. 'nord')"),
    "syntax": ('theme = "nord\n', "line 1, column 14: TOML syntax error"),
    "binding id": (
        '[keys]\n"app.sav" = "f2"\n',
        "[keys].\"app.sav\": unknown binding id (did you mean 'app.save'?)",
    ),
    "key string": ('[keys]\n"app.save" = "ctrl s"\n', "[keys].\"app.save\": 'ctrl s' is not a key"),
    "empty currency": ('currency = ""\n', "currency: is empty"),
}


@pytest.mark.parametrize("case", BROKEN, ids=str)
def test_broken_config_is_one_line(case, user_config, capsys):
    text, expected = BROKEN[case]
    write(user_config, text)
    code, out, err = run(capsys, "config")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"{user_config}: {expected}"), err


def test_broken_config_stops_the_tui_not_other_commands(user_config, tmp_path):
    write(user_config, 'thme = "nord"\n')
    env = {"WORKBENCH_CONFIG": str(user_config)}
    tui = run_cli(str(PRESETS / "starter.toml"), env=env)
    assert tui.returncode == 1
    assert tui.stderr == f"{user_config}: thme: unknown key (did you mean 'theme'?)\n"
    report = run_cli("report", str(PRESETS / "starter.toml"), "--format", "json", env=env)
    assert report.returncode == 0 and report.stderr == ""  # the file sets its currency: no config needed


def test_readme_lists_every_binding_id():
    text = (ROOT / "README.md").read_text("utf-8")
    section = text[text.index("## Configuration") : text.index("## Real data for the meeting")]
    assert [i for i in config.BINDING_IDS if f"`{i}`" not in section] == []


def test_theme_fills_the_starters_commented_line(user_config, capsys):
    run(capsys, "config", "--init")
    text = config.with_theme(user_config.read_text("utf-8"), "nord")
    assert text == config.STARTER.replace('# theme = "nord"', 'theme = "nord"')
    assert config.parse(text, user_config).theme == "nord"


async def test_pane_key_override_in_help(user_config, saves):
    write(user_config, '[keys]\n"pane.sensitivity" = "f12"\n')
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        panes = dict(next(rows for title, rows in app.help_sections() if title == "Panes"))
        assert "f12 T" in panes
        await until(pilot, lambda: app.focused is not None)
        await pilot.press("f12")
        view = app.active_view()
        results = view.query_one("#outputs", TabbedContent)
        await until(pilot, lambda: results.active == "sensitivity")


async def test_an_override_that_takes_a_key_is_said(user_config, saves):
    write(user_config, '[keys]\n"app.compare" = "q"\n')
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None)
        await pilot.press("q")
        await until(pilot, lambda: app.query_one("#tabs", TabbedContent).active == "compare")
        said = [n.message for n in app._notifications]
        assert "[keys]: q now does app.compare, no longer app.quit" in said
        assert app.is_running


async def test_served_session_does_not_write_the_config(user_config, saves, monkeypatch):
    monkeypatch.setenv("WORKBENCH_SERVED", "1")
    app = make_app("starter")
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "dracula"
        await pilot.pause()
    assert not user_config.exists()


def test_default_place_is_the_user_config_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    expected = tmp_path / "xdg" / "build-vs-buy-workbench" / "config.toml"
    assert paths.config_file() == expected or not sys.platform.startswith("linux")
