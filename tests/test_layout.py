"""Comments survive a save (issue 12, part 3).

A file the user wrote (or a preset saved to saves/) is saved by editing its own text: only the lines of
the values edited change; comments, blank lines, key order and table order stay. Rows the TUI adds go
among the rows of their table, deleted rows go with their lines, a version-2 key raises the file's
`schema_version`. Whatever the layout, what is written loads back to the scenario saved.
"""

from __future__ import annotations

import difflib
import re
import tomllib

import pytest
from fuzzing import scenario_dicts
from helpers import PRESETS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from workbench.edits import edit
from workbench.model.scenario import Scenario
from workbench.session.document import Document
from workbench.store import files, layout

SHIPPED = sorted(PRESETS.glob("*.toml"))


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed and the lines added, by difflib."""
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line[0] == "-" else added).append(line[1:])
    return removed, added


def key_of(line: str) -> str:
    return line.split("=", 1)[0].strip()


def comment_of(line: str) -> str:
    """The comment at the end of a key's line (none of the presets' values holds a '#')."""
    return line.split("#", 1)[1] if "#" in line else ""


def five_edits(s: Scenario, written: dict) -> tuple[Scenario, list[str]]:
    """Five values of different kinds edited through the edit layer, each a key the file writes: a
    workload number, an API price, a GPU price (or another table's number when there is no GPU row), an
    option's number, an option's yes/no or choice. Returns the scenario and the keys edited."""
    keys = []

    def number(path: tuple, bump: float) -> None:
        nonlocal s
        old = edit.get_value(s, path)
        s = edit.apply_text(s, path, repr(round(old + bump, 6)))
        keys.append(path[-1])

    number(("workload", "requests_per_day"), 1000)
    number(("api_models", 0, "input"), 0.25)
    if s.gpus and "hourly" in written["gpus"][0]:
        number(("gpus", 0, "hourly"), 0.25)
    else:
        number(("overheads", "engineer_annual_cost"), 5000)
    option = next(k for k in ("setup_cost", "ops_fte", "consistency") if k in written["options"][0])
    number(("options", 0, option), 0.01 if option == "consistency" and s.options[0].consistency < 1 else 1)
    for i, row in enumerate(written["options"]):
        choice = next(
            (k for k in ("prompt_caching", "rag", "throughput_estimated", "hosting") if k in row), None
        )
        if choice is None:
            continue
        try:
            s = edit.cycle(s, ("options", i, choice))
        except edit.EditError:
            continue
        keys.append(choice)
        break
    assert len(keys) == 5, keys
    return s, keys


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_five_edits_change_five_lines_and_nothing_else(path, saves):
    doc = Document.open(path)
    original = doc.source
    assert original is not None
    edited, keys = five_edits(doc.scenario, tomllib.loads(original))
    doc.push(edited)
    target = doc.save()
    assert target.parent == saves  # a preset is saved to saves/<name>.toml
    saved = target.read_text("utf-8")
    assert files.load(target) == edited
    removed, added = changes(original, saved)
    assert len(removed) == len(added) == 5, (removed, added)
    assert sorted(map(key_of, removed)) == sorted(keys) == sorted(map(key_of, added))
    for old, new in zip(removed, added, strict=True):
        assert key_of(old) == key_of(new)
        assert comment_of(old) == comment_of(new)  # the line's comment stays
        if comment_of(old):  # in its column
            assert old.index("#") == new.index("#")


def test_the_starter_keeps_every_comment_line(saves):
    doc = Document.open(PRESETS / "starter.toml")
    doc.push(edit.apply_text(doc.scenario, ("workload", "requests_per_day"), "25000"))
    saved = doc.save().read_text("utf-8")
    count = len(re.findall(r"#", doc.source or ""))
    assert count > 70
    assert len(re.findall(r"#", saved)) == count
    removed, added = changes((PRESETS / "starter.toml").read_text("utf-8"), saved)
    assert removed == ["requests_per_day = 20000           # a mid-sized support desk (estimate)"]
    assert added == ["requests_per_day = 25000           # a mid-sized support desk (estimate)"]


def test_number_styles_stay():
    s, text = files.load_with_text(PRESETS / "starter.toml")
    s = edit.apply_text(s, ("api_models", 0, "output"), "12")  # written 10.00
    s = edit.apply_text(s, ("workload", "input_tokens"), "1600.5")  # written 1500
    s = edit.apply_text(s, ("options", 2, "setup_cost"), "12000")  # written 10000.0
    _, added = changes(text, files.dump_text(s, text))
    assert [a.split("#")[0].rstrip() for a in added] == [
        "input_tokens = 1600.5",
        "output = 12.00",
        "setup_cost = 12000.0",
    ]


def test_a_row_added_as_the_tui_adds_it_lands_after_the_last_row_of_its_table():
    s, text = files.load_with_text(PRESETS / "starter.toml")
    for table, before_next in (("gpus", "[[options]]"), ("options", "[[risks]]"), ("api_models", "[[gpus]]")):
        last = len(getattr(s, table)) - 1
        new, at = edit.add_row(s, table, last)  # `a` on the last row of the grid
        saved = files.dump_text(new, text)
        assert files.parse_text(saved) == new
        removed, added = changes(text, saved)
        assert removed == []
        assert sorted(added)[:2] == ["", f"[[{table}]]"] and all(" = " in line for line in sorted(added)[2:])
        lines = saved.splitlines()
        header = len(lines) - 1 - lines[::-1].index(f"[[{table}]]")
        assert lines[header + 1] == f'name = "{getattr(new, table)[at].name}"'
        assert header > max(i for i, line in enumerate(text.splitlines()) if line == f"[[{table}]]")
        assert header < lines.index(before_next)


def test_a_row_added_between_rows_stays_between_them():
    s, text = files.load_with_text(PRESETS / "starter.toml")
    new, at = edit.add_row(s, "options", 0)
    saved = files.dump_text(new, text)
    assert files.parse_text(saved) == new
    removed, added = changes(text, saved)
    assert removed == [] and sorted(added) == sorted(
        ["[[options]]", 'name = "New option"', 'model = "GPT-4o"', ""]
    )
    assert [o.name for o in files.parse_text(saved).options][at] == "New option"


def test_a_deleted_row_goes_with_its_lines():
    s, text = files.load_with_text(PRESETS / "starter.toml")
    gone = s.options[1].name
    new = edit.delete_row(s, "options", 1)
    saved = files.dump_text(new, text)
    assert files.parse_text(saved) == new
    removed, added = changes(text, saved)
    assert added == []
    block = text.split(f'name = "{gone}"')[1].split("[[options]]")[0]
    assert len(removed) == len(block.splitlines()) + 1  # its header, its name and the rest of its lines
    assert f'name = "{gone}"' not in saved and "someone keeps the index fresh" not in saved


def test_a_renamed_row_keeps_its_comments_and_so_do_the_rows_that_refer_to_it():
    s, text = files.load_with_text(PRESETS / "starter.toml")
    new = edit.apply_text(s, ("gpus", 0, "name"), "H100 SXM")
    saved = files.dump_text(new, text)
    removed, added = changes(text, saved)
    assert len(removed) == len(added) == 3  # the row's name, [training].gpu and the option's gpu
    assert all("H100 SXM" in line for line in added)
    assert "# per GPU-hour (a published guide, RunPod H100 PCIe)" in saved


def test_all_rows_deleted_keeps_the_comments_above_the_next_table():
    s, text = files.load_with_text(PRESETS / "starter.toml")
    new = files.from_dict({**files.to_dict(s), "risks": []})
    saved = files.dump_text(new, text)
    assert files.parse_text(saved) == new
    assert "[[risks]]" not in saved
    assert "# What we do not know well, as ranges" in saved
    assert saved.index("# What we do not know well") < saved.index("[uncertainty]")


def test_a_version_1_file_edited_with_a_version_2_key_becomes_version_2():
    path = PRESETS / "two-million-tokens-a-day.toml"
    s, text = files.load_with_text(path)
    assert s.schema_version == 1
    new = edit.apply_text(s, ("api_models", 0, "training_per_mtok"), "5")
    assert new.schema_version == 2
    saved = files.dump_text(new, text)
    assert files.parse_text(saved) == new
    removed, added = changes(text, saved)
    assert removed == ["schema_version = 1"]
    assert added == ["schema_version = 2", "training_per_mtok = 5"]
    lines = saved.splitlines()
    assert lines[lines.index("training_per_mtok = 5") - 1].startswith("output = ")  # in the schema's order


def test_a_file_without_schema_version_gets_it_above_the_name():
    text = (PRESETS / "two-million-tokens-a-day.toml").read_text("utf-8").replace("schema_version = 1\n", "")
    s = files.parse_text(text)
    new = edit.apply_text(s, ("gpus", 0, "bf16_tflops"), "312")
    saved = files.dump_text(new, text)
    assert files.parse_text(saved) == new
    removed, added = changes(text, saved)
    assert removed == [] and added == ["schema_version = 2", "bf16_tflops = 312"]
    assert saved.index("schema_version = 2\nname = ") > saved.index("# Prices as we assume them")


def test_a_table_the_file_lacks_is_added_in_the_schema_order():
    text = (PRESETS / "two-million-tokens-a-day.toml").read_text("utf-8")
    s = files.parse_text(text)
    new = edit.apply_text(s, ("rag", "cost_per_query"), "0.001")  # no [rag] in this file
    saved = files.dump_text(new, text)
    assert files.parse_text(saved) == new
    removed, added = changes(text, saved)
    assert removed == [] and sorted(added) == ["", "[rag]", "cost_per_query = 0.001"]
    assert saved.index("[training]") < saved.index("[rag]") < saved.index("[[api_models]]")


def test_defaults_the_file_leaves_out_stay_out():
    s, text = files.load_with_text(PRESETS / "starter.toml")
    saved = files.dump_text(s, text)
    assert saved == text  # to_dict has every key; none at its default is added
    assert "review_rate" not in saved and "[pretraining]" not in saved


def test_a_cleared_key_goes_and_ranges_change_in_place():
    s, text = files.load_with_text(PRESETS / "starter.toml")
    new = edit.apply(s, ("api_models", 0, "cached_input"), None)
    new = edit.apply_text(new, ("uncertainty", "overheads.engineer_annual_cost", "high"), "450000")
    saved = files.dump_text(new, text)
    assert files.parse_text(saved) == new
    removed, added = changes(text, saved)
    assert [key_of(r) for r in removed] == ["cached_input", '"overheads.engineer_annual_cost"']
    assert added == [
        '"overheads.engineer_annual_cost" = { low = 200000, high = 450000 }  '
        "# a published guide: ML talent at $200k-$400k a year"
    ]


def test_a_file_with_a_byte_order_mark_is_saved_without_it_and_keeps_its_layout(tmp_path):
    path = tmp_path / "bom.toml"
    text = (PRESETS / "starter.toml").read_text("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    doc = Document.open(path)
    doc.push(edit.apply_text(doc.scenario, ("workload", "output_tokens"), "350"))
    doc.save()
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    removed, added = changes(text, raw.decode("utf-8"))
    assert [key_of(r) for r in removed] == [key_of(a) for a in added] == ["output_tokens"]
    assert files.dump_text(doc.scenario, "\ufeff" + text) == raw.decode("utf-8")


def test_windows_line_ends_stay():
    text = (PRESETS / "starter.toml").read_text("utf-8").replace("\n", "\r\n")
    s = files.parse_text(text)
    new, _ = edit.add_row(s, "gpus", 1)
    saved = files.dump_text(new, text)
    assert files.parse_text(saved) == new
    assert "\n" not in saved.replace("\r\n", "")


def test_save_then_save_again_writes_the_same_bytes(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text((PRESETS / "starter.toml").read_text("utf-8"), "utf-8")
    doc = Document.open(path)
    doc.push(edit.apply_text(doc.scenario, ("options", 1, "latency_ms"), "1800"))
    doc.save()
    first = path.read_bytes()
    doc.save()
    assert path.read_bytes() == first
    again = Document.open(path)
    again.save()
    assert path.read_bytes() == first


def test_a_new_tab_is_written_fresh(tmp_path):
    s = files.load(PRESETS / "starter.toml")
    doc = Document(s, None, "fresh")
    path = doc.save(tmp_path / "fresh.toml")
    assert path.read_text("utf-8") == files.dump_text(s)
    assert path.read_text("utf-8").startswith(files.HEADER)


def test_a_text_that_would_mean_something_else_is_not_written(monkeypatch):
    s, text = files.load_with_text(PRESETS / "starter.toml")
    new = edit.apply_text(s, ("workload", "requests_per_day"), "25000")
    monkeypatch.setattr(layout, "keep_layout", lambda base, data: base)  # a layout edit gone wrong
    assert files.dump_text(new, text) == files.dump_text(new)

    def broken(base: str, data: dict) -> str:
        raise ValueError("a layout tomlkit cannot edit")

    monkeypatch.setattr(layout, "keep_layout", broken)
    assert files.dump_text(new, text) == files.dump_text(new)


# --- any scenario over any layout -------------------------------------------------------------------


def _valid(draw) -> Scenario:
    try:
        return files.from_dict(draw(scenario_dicts(max_rows=3)))
    except files.ScenarioError:
        assume(False)
        raise


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_a_kept_layout_always_loads_back_to_the_scenario_saved(data):
    """Over a shipped preset's text or a fresh file of another scenario, the layout-keeping edit alone
    (not the fallback) writes a text that loads back to the scenario, and saving that again changes
    nothing."""
    if data.draw(st.booleans(), label="over a preset"):
        base = data.draw(st.sampled_from(SHIPPED), label="preset").read_text("utf-8")
    else:
        base = files.dump_text(_valid(data.draw))
    target = _valid(data.draw)
    text = layout.keep_layout(base, files.to_dict(target))
    assert files.parse_text(text) == target
    assert layout.keep_layout(text, files.to_dict(target)) == text


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_edits_through_the_edit_layer_keep_every_other_line(data):
    """Edits a user makes to rows (values, rows added and deleted) on a preset: the layout-keeping save
    loads back to the scenario, and everything above the first row is as it was."""
    path = data.draw(st.sampled_from(SHIPPED), label="preset")
    s, text = files.load_with_text(path)
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        kind = data.draw(st.sampled_from(["number", "add", "delete", "cycle"]), label="kind")
        table = data.draw(st.sampled_from(["api_models", "gpus", "options"]), label="table")
        rows = getattr(s, table)
        try:
            if kind == "add" or not rows:
                s = edit.add_row(s, table, data.draw(st.integers(0, max(0, len(rows) - 1))))[0]
            elif kind == "delete":
                s = edit.delete_row(s, table, data.draw(st.integers(0, len(rows) - 1)))
            elif kind == "cycle":
                field = data.draw(st.sampled_from(["baseline", "rag", "hosting", "serve"]))
                s = edit.cycle(s, ("options", 0, field))
            else:
                field = {"api_models": "input", "gpus": "hourly", "options": "latency_ms"}[table]
                value = data.draw(st.floats(0, 1000, allow_nan=False).map(lambda v: round(v, 3)))
                s = edit.apply_text(s, (table, 0, field), edit.display(value))
        except edit.EditError:
            continue
    saved = layout.keep_layout(text, files.to_dict(s))
    assert files.parse_text(saved) == s
    assert files.dump_text(s, text) == saved
    top = text[: text.index("\n[[")]
    assert saved.startswith(top)


def test_a_multi_line_text_changes_only_the_lines_edited():
    s, text = files.load_with_text(PRESETS / "starter.toml")
    description = s.description.replace("20,000 requests", "25,000 requests") + 'With "quotes", \\ and """.\n'
    new = edit.apply(s, ("description",), description)
    saved = files.dump_text(new, text)
    assert files.parse_text(saved) == new
    removed, added = changes(text, saved)
    assert len(removed) == 1 and removed[0].startswith("A customer-support assistant that answers 20,000")
    assert len(added) == 2 and added[0] == removed[0].replace("20,000", "25,000")
    assert 'description = """\nA customer-support' in saved  # the text still starts on its own line


def test_ranges_added_and_removed_in_the_uncertainty_grid():
    s, text = files.load_with_text(PRESETS / "starter.toml")
    new = edit.apply_text(s, ("uncertainty", "overheads.eval_setup", "high"), "20000")  # a new range
    new = edit.apply_text(new, ("uncertainty", "workload.requests_per_day", "low"), "")  # cleared: removed
    saved = files.dump_text(new, text)
    assert files.parse_text(saved) == new
    removed, added = changes(text, saved)
    assert [key_of(r) for r in removed] == ['"workload.requests_per_day"']
    assert len(added) == 1 and added[0].startswith('"overheads.eval_setup" = { low = ')
    assert saved.rstrip("\n").endswith(added[0])  # after the last range


def test_a_file_without_a_currency_stays_without_one_under_a_configured_currency(tmp_path, monkeypatch):
    from workbench.store import config

    conf = tmp_path / "config.toml"
    conf.write_text('currency = "EUR"\n', "utf-8")
    monkeypatch.setenv("WORKBENCH_CONFIG", str(conf))
    config.forget()
    try:
        text = (PRESETS / "starter.toml").read_text("utf-8").replace('currency = "USD"\n', "")
        s = files.parse_text(text)
        assert s.currency == "EUR"  # what the file's silence means here
        new = edit.apply_text(s, ("workload", "output_tokens"), "350")
        removed, added = changes(text, files.dump_text(new, text))
        assert [key_of(line) for line in removed + added] == ["output_tokens", "output_tokens"]
        usd = edit.apply_text(s, ("currency",), "USD")  # the schema's default, but not what silence means
        saved = files.dump_text(usd, text)
        assert files.parse_text(saved) == usd
        assert changes(text, saved) == ([], ['currency = "USD"'])
    finally:
        config.forget()
