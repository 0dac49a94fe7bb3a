"""Hostile files: what never ends, what is not a file, what is too large, and what a save does to links.

Every reader of a user's path goes through workbench.store.reading: only a regular file is read (a
symlink is followed only to one), and at most a stated number of bytes. A FIFO, /dev/zero, /dev/urandom
or a link to one is refused in one line, before it is opened; a file over the limit is refused with its
size. These tests call the command line in this process: a regression that reads a FIFO would hang the
test rather than fail it, which CI still reports."""

from __future__ import annotations

import gzip
import json
import os
import re
import stat
from pathlib import Path

import pytest

from workbench.cli.run import main
from workbench.model.usage import UsageError
from workbench.session import recovery
from workbench.session.document import Document
from workbench.store import config, files, paths, reading, usagelog

ROOT = Path(__file__).resolve().parent.parent
STARTER = ROOT / "presets" / "starter.toml"
posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev (POSIX)")


def hostile(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of path that is not a scenario file to read, and what its refusal says."""
    folder.mkdir(exist_ok=True)
    out: dict[str, tuple[Path, str]] = {}
    for device in ("zero", "urandom", "null"):
        link = folder / f"{device}.toml"
        link.symlink_to(f"/dev/{device}")
        out[f"link to /dev/{device}"] = (link, "is a device, not a regular file")
    os.mkfifo(folder / "fifo.toml")
    out["FIFO"] = (folder / "fifo.toml", "is a FIFO (named pipe), not a regular file")
    (folder / "fifo-link.toml").symlink_to(folder / "fifo.toml")
    out["link to a FIFO"] = (folder / "fifo-link.toml", "is a FIFO (named pipe), not a regular file")
    (folder / "dir.toml").mkdir()
    out["folder"] = (folder / "dir.toml", "is a folder")
    big = folder / "big.toml"
    with big.open("wb") as fh:  # sparse: the size is what counts, not the bytes written
        fh.truncate(files.MAX_FILE_BYTES + 1)
    out["over the limit"] = (big, f"file is {files.MAX_FILE_BYTES + 1:,} bytes")
    return out


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@posix
@pytest.mark.parametrize("command", [["validate"], ["report"], ["report", "--format", "json"], []])
def test_the_command_line_refuses_what_is_not_a_file_in_one_line(command, tmp_path, capsys, monkeypatch):
    started = []
    monkeypatch.setattr("workbench.tui.app.run", lambda *a, **k: started.append(a) or 0)
    for kind, (path, says) in hostile(tmp_path / "h").items():
        code = main([*command, str(path)])
        out, err = capsys.readouterr()
        assert code == 1, kind
        assert out == "", kind
        line = one_line(err)
        assert str(path) in line and says in line, (kind, line)
    assert started == [], "the TUI never starts on such a file"


@posix
def test_the_tui_and_recovery_readers_refuse_them_too(tmp_path):
    for kind, (path, says) in hostile(tmp_path / "h").items():
        with pytest.raises(files.ScenarioError, match=re.escape(says)):
            Document.open(path)
        assert recovery.original_problem(path), kind


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "grows.toml"
    path.write_bytes(b"# " + b"x" * 100)
    real_fstat = os.fstat

    def fstat_before_growth(fd):  # the size when it was opened; the file then grew
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, *st[1:6], 10, *st[7:]))

    monkeypatch.setattr(os, "fstat", fstat_before_growth)
    with pytest.raises(reading.FileTooLarge, match="over 50 bytes"):
        reading.read_regular(path, 50)


@posix
def test_a_config_file_that_is_a_device_or_too_large_is_one_line(tmp_path):
    (tmp_path / "config.toml").symlink_to("/dev/zero")
    with pytest.raises(config.ConfigError, match=r"config.toml: is a device, not a regular file"):
        config.load(tmp_path / "config.toml")
    big = tmp_path / "big.toml"
    with big.open("wb") as fh:
        fh.truncate(config.MAX_CONFIG_BYTES + 1)
    with pytest.raises(config.ConfigError, match=f"file is {config.MAX_CONFIG_BYTES + 1:,} bytes"):
        config.load(big)


@posix
def test_a_fifo_among_the_presets_does_not_stop_the_list(tmp_path, monkeypatch):
    (tmp_path / "a.toml").write_bytes(STARTER.read_bytes())
    os.mkfifo(tmp_path / "b.toml")
    (tmp_path / "c.toml").symlink_to("/dev/urandom")
    monkeypatch.setenv("WORKBENCH_PRESETS", str(tmp_path))
    listed = {p.name: name for p, name, _ in paths.list_presets()}
    assert listed["a.toml"].startswith("Customer-support assistant")
    assert listed["b.toml"] == "b" and listed["c.toml"] == "c"


# --- usage logs: regular files only, and bounds where a reader holds or writes what it reads -------------


@posix
def test_usage_logs_that_are_not_files_are_refused(tmp_path):
    for kind, (path, says) in hostile(tmp_path / "h").items():
        if kind == "over the limit":
            continue  # a plain log is streamed: no size limit
        with pytest.raises(UsageError, match=re.escape(says.split(",")[0])) as caught:
            usagelog.summarize([path])
        assert str(path) in str(caught.value), kind


def test_a_gzip_bomb_stops_at_the_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(usagelog, "UNGZIP_BYTES", 1 << 20)
    bomb = tmp_path / "bomb.csv.gz"
    with gzip.open(bomb, "wb") as fh:
        fh.write(b"timestamp,input,output\n")
        for _ in range(4):
            fh.write(b"0" * (1 << 20))
    assert bomb.stat().st_size < 20_000
    with pytest.raises(UsageError, match=r"bomb.csv.gz: decompresses to over 1,048,576 bytes"):
        usagelog.summarize([bomb])


def test_a_json_document_read_whole_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(usagelog, "JSON_DOCUMENT_BYTES", 1000)
    doc = tmp_path / "page.json"
    rows = [{"start_time": 1_700_000_000 + i, "input_tokens": 5, "output_tokens": 1} for i in range(50)]
    doc.write_text(json.dumps({"data": rows}, indent=1), "utf-8")
    with pytest.raises(UsageError, match=r"page.json: a JSON document of [\d,]+ bytes is read whole"):
        usagelog.summarize([doc])


def test_a_json_line_longer_than_the_bound_is_one_bad_line(tmp_path, monkeypatch):
    monkeypatch.setattr(usagelog, "LINE_CHARS", 200)
    log = tmp_path / "spans.jsonl"
    row = {"startTime": "2026-01-01T00:00:00Z", "prompt_tokens": 5, "completion_tokens": 1, "spend": 0.1}
    lines = [json.dumps(row), json.dumps({**row, "model": "x" * 1000}), json.dumps(row)]
    log.write_text("\n".join(lines) + "\n", "utf-8")
    with log.open(encoding="utf-8") as fh:
        parsed = list(usagelog._json_lines(fh))
    assert parsed[0] == row and parsed[2] == row
    assert parsed[1] is usagelog._NOT_JSON


# --- saves onto links ------------------------------------------------------------------------------


def test_a_save_onto_a_symlink_writes_through_to_its_target(tmp_path):
    elsewhere = tmp_path / "dotfiles"
    elsewhere.mkdir()
    target = elsewhere / "mine.toml"
    target.write_bytes(STARTER.read_bytes())
    target.chmod(0o640)
    link = tmp_path / "mine.toml"
    link.symlink_to(target)
    doc = Document.open(link)
    doc.push(doc.scenario.model_copy(update={"name": "Through the link"}))
    doc.save()
    assert link.is_symlink() and os.readlink(link) == str(target), "the link stays a link"
    assert 'name = "Through the link"' in target.read_text("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640, "the target's permissions are kept"
    assert [p.name for p in elsewhere.iterdir()] == ["mine.toml"], "no temporary file left"


def test_a_save_onto_a_hard_linked_file_gives_that_name_a_file_of_its_own(tmp_path):
    first = tmp_path / "first.toml"
    first.write_bytes(STARTER.read_bytes())
    second = tmp_path / "second.toml"
    os.link(first, second)
    doc = Document.open(first)
    doc.push(doc.scenario.model_copy(update={"name": "Saved under first"}))
    doc.save()
    assert 'name = "Saved under first"' in first.read_text("utf-8")
    assert second.read_bytes() == STARTER.read_bytes(), "the other name keeps the old text"
    assert first.stat().st_nlink == 1 and second.stat().st_nlink == 1


# --- recovery copies: the user's alone ----------------------------------------------------------------


def dirty_doc() -> Document:
    doc = Document(files.load(STARTER), None, "untitled")
    doc.push(doc.scenario.model_copy(update={"name": "Unsaved work"}))
    return doc


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_recovery_copies_are_mode_600_in_a_mode_700_folder():
    written = recovery.keep(dirty_doc())
    assert written is not None
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(recovery.folder().stat().st_mode) == 0o700


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_recovery_folder_others_can_write_is_refused():
    where = recovery.folder()
    where.mkdir()
    where.chmod(0o777)
    (where / "planted.toml").write_bytes(STARTER.read_bytes())
    says = f"recovery folder {where}: other users can write to it (mode 777)"
    with pytest.raises(files.ScenarioError, match=f"^{re.escape(says)}"):
        recovery.keep(dirty_doc())
    with pytest.raises(files.ScenarioError, match=f"^{re.escape(says)}"):
        recovery.scan()
    assert sorted(p.name for p in where.iterdir()) == ["planted.toml"], "nothing written there"
    where.chmod(0o700)
    assert [c.file.name for c in recovery.scan()] == ["planted.toml"]


def test_a_link_planted_at_a_copys_name_is_replaced_not_followed(tmp_path):
    doc = dirty_doc()
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n", "utf-8")
    recovery.folder().mkdir(mode=0o700)
    recovery.file_of(doc).symlink_to(victim)
    written = recovery.keep(doc)
    assert written is not None and not written.is_symlink()
    assert victim.read_text("utf-8") == "do not touch\n"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
async def test_the_app_says_why_it_reads_no_copies_from_a_shared_folder():
    from helpers import until
    from test_disk import status

    from workbench.tui.app import WorkbenchApp

    where = recovery.folder()
    where.mkdir()
    where.chmod(0o775)
    (where / "planted-1.toml").write_bytes(STARTER.read_bytes())
    app = WorkbenchApp([Document(files.load(STARTER), STARTER)])
    async with app.run_test(size=(160, 40)) as pilot:
        await until(pilot, lambda: app.active_view() is not None)
        await until(pilot, lambda: "other users can write" in status(app), delay=0.02)
        assert "recovery copies not read" in status(app)
        assert len(app.screen_stack) == 1, "no restore offer"


def test_a_config_currency_with_an_escape_sequence_is_refused(tmp_path):
    (tmp_path / "config.toml").write_text('currency = "\\u001b]0;title\\u0007EUR"\n', "utf-8")
    with pytest.raises(config.ConfigError) as caught:
        config.load(tmp_path / "config.toml")
    assert str(caught.value) == (
        f"{tmp_path / 'config.toml'}: currency: contains a control character (ESC, U+001B) "
        "(plain text without control characters)"
    )
