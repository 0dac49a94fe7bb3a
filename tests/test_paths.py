"""Where the workbench keeps files (issue 12, parts 1 and 6): the platform's folders through platformdirs, a
./saves folder when the current directory has one, the WORKBENCH_* variables over both; and the small
command-line conventions that go with an installed tool (--version, paths, completion, --debug, "did you
mean", a preset's bare name as a file).

conftest.py points XDG_* at the test's own folders, so the platform defaults land there."""

from __future__ import annotations

import json
import os
from importlib.metadata import version
from pathlib import Path

import pytest
from helpers import PRESETS, run_cli

from workbench.cli.run import main
from workbench.session import recovery
from workbench.session.document import Document
from workbench.store import files, paths

APP = "build-vs-buy-workbench"


@pytest.fixture
def platform(tmp_path, monkeypatch):
    """No WORKBENCH_* overrides and an empty current folder: every folder is the platform's."""
    for name in ("WORKBENCH_SAVES", "WORKBENCH_RECOVERY", "WORKBENCH_CONFIG", "WORKBENCH_PRESETS"):
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "empty"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_platform_folders_follow_xdg(platform):
    data, state, config = (
        Path(os.environ[v]) for v in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME")
    )
    assert paths.data_dir() == data / APP
    assert paths.state_dir() == state / APP
    assert paths.log_dir().is_relative_to(state / APP)
    assert paths.config_file() == config / APP / "config.toml"
    assert paths.saves_where() == (data / APP / "saves", "platform default")
    assert paths.recovery_dir() == state / APP / "recovery"
    assert recovery.folder() == paths.recovery_dir()
    assert not data.exists() and not state.exists()  # looking a folder up never creates it


def test_a_saves_folder_here_is_used_and_the_variables_win(platform, tmp_path, monkeypatch):
    (platform / "saves").mkdir()
    assert paths.saves_where() == (platform / "saves", "./saves exists here")
    monkeypatch.setenv("WORKBENCH_SAVES", str(tmp_path / "mine"))
    monkeypatch.setenv("WORKBENCH_RECOVERY", str(tmp_path / "rec"))
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "c.toml"))
    assert paths.saves_where() == (tmp_path / "mine", "from WORKBENCH_SAVES")
    assert paths.recovery_where() == (tmp_path / "rec", "from WORKBENCH_RECOVERY")
    assert paths.config_where() == (tmp_path / "c.toml", "from WORKBENCH_CONFIG")


def test_presets_are_the_package_data(platform, monkeypatch):
    folder, why = paths.presets_where()
    assert why == "shipped with the package" and folder.resolve() == PRESETS.resolve()
    assert len(paths.list_presets()) == 10
    monkeypatch.setenv("WORKBENCH_PRESETS", str(platform))
    assert paths.presets_where() == (platform, "from WORKBENCH_PRESETS") and paths.list_presets() == []


def test_a_preset_tab_saves_into_the_data_folder_created_on_first_save(platform):
    doc = Document.open(paths.default_preset())
    assert not paths.saves_dir().exists()
    where = doc.save()
    assert where == paths.data_dir() / "saves" / "starter.toml" and files.load(where) == doc.scenario


def test_recovery_copies_go_to_the_state_folder(platform):
    doc = Document.open(paths.default_preset())
    s = doc.scenario
    doc.push(s.model_copy(update={"workload": s.workload.model_copy(update={"requests_per_day": 7.0})}))
    copy = recovery.keep(doc)
    assert copy is not None and copy.parent == paths.state_dir() / "recovery"
    assert not paths.saves_dir().exists()
    recovery.discard(doc)


def test_a_recovery_folder_inside_saves_is_still_not_a_trusted_original(saves, monkeypatch):
    monkeypatch.setenv("WORKBENCH_RECOVERY", str(saves / "rec"))
    assert "outside" in recovery.original_problem(saves / "rec" / "x.toml")
    assert recovery.original_problem(saves / "gone.toml") == ""


def test_served_sessions_are_kept_to_the_platform_saves_and_presets(platform, monkeypatch):
    monkeypatch.setenv("WORKBENCH_SERVED", "1")
    assert paths.confine(paths.data_dir() / "saves" / "x.toml") is None
    assert paths.confine(paths.presets_dir() / "starter.toml") is None
    assert paths.confine(paths.recovery_dir() / "x.toml") is not None
    assert paths.confine(platform / "x.toml") is not None


def test_preset_names_are_files(platform):
    starter = str(paths.presets_dir() / "starter.toml")
    assert paths.preset_or_file("starter") == starter
    assert paths.preset_or_file("starter.toml") == starter
    assert paths.preset_or_file("nope") == "nope"
    assert paths.preset_or_file("./starter") == "./starter"
    (platform / "starter.toml").write_text("mine", "utf-8")
    assert paths.preset_or_file("starter.toml") == "starter.toml"  # a file here comes first


# --- the command line ---------------------------------------------------------------------------------


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"workbench {version(APP)}\n"


def test_paths_command(platform, capsys):
    code, out, err = run(capsys, "paths", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["presets", "saves", "recovery", "exports", "config", "logs"]
    assert data["saves"] == {
        "path": str(paths.data_dir() / "saves"),
        "from": "platform default",
        "exists": False,
    }
    assert data["exports"]["path"] == data["saves"]["path"]
    assert data["presets"]["from"] == "shipped with the package" and data["presets"]["exists"]
    code, out, err = run(capsys, "paths")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 6
    assert lines[1].split()[:2] == ["saves", str(paths.data_dir() / "saves")]
    assert lines[1].endswith("(platform default; not created yet)")
    assert lines[2].startswith("recovery copies ") and lines[4].startswith("config file ")


def test_a_presets_name_is_its_file_in_every_command(platform, capsys):
    code, out, err = run(capsys, "report", "starter", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["name"].startswith("Customer-support assistant")
    code, out, err = run(capsys, "validate", "starter", "calculus-tutor")
    assert code == 0 and out.count(": ok (") == 2
    code, out, err = run(capsys, "diff", "starter", "starter.toml")
    assert code == 0, err


@pytest.mark.parametrize(
    "word, hint",
    [("reprot", "did you mean 'report'?"), ("presest", "did you mean 'presets'?"), ("zzz", "--help")],
)
def test_an_unknown_command_is_a_usage_error(word, hint, platform, capsys):
    code, out, err = run(capsys, word)
    assert code == 2 and out == ""
    assert err.startswith(f"workbench: '{word}' is not a command or a file (") and hint in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell, capsys):
    code, out, _ = run(capsys, "completion", shell)
    assert code == 0
    for word in ("report", "validate", "paths", "completion", "debug"):
        assert word in out, (shell, word)


def test_debug_writes_a_log_and_says_where_once(platform):
    proc = run_cli("--debug", "presets", cwd=platform)
    log = paths.log_dir() / "workbench.log"
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"workbench: debug log in {log}\n"
    text = log.read_text("utf-8")
    assert "DEBUG" in text and "saves: " in text and "exit 0" in text
