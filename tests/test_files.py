"""Scenario files: round trips, atomic saves, and one clear message for every broken file."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import scenarios

from workbench.model.scenario import validate
from workbench.store import files
from workbench.store.files import ScenarioError, dump_text, load, parse_text, save

RICH = '''schema_version = 1
name = "Loan underwriting, 100k requests/day"
description = """
Two lines of "description",
with a backslash \\\\ and unicode: café, 日本語, 💸.
"""
currency = "EUR"
horizon_months = 36

[workload]
requests_per_day = 100000
input_tokens = 1000.5
output_tokens = 500
cacheable_share = 0.35
growth_per_month = 0.03
peak_to_average = 2.5
days_per_month = 30.4

[market]
api_price_change_per_year = -0.5
gpu_price_change_per_year = -0.1

[requirements]
consistency_target = 0.97
needs_proprietary_data = true
data_must_stay_on_prem = false
latency_target_ms = 800
requirements_stable_months = 18
can_commit_to_maintenance = true
unique_domain_without_public_data = false

[overheads]
engineer_annual_cost = 250000
cost_per_review = 1.5
labeling_cost_per_example = 3.0
labeling_qa_overhead = 0.25
eval_setup = 15000

[training]
gpu = "H100 PCIe"
gpus = 8
hours_per_run = 6.0
runs = 10
examples = 5000
already_labeled = 1200
retrain_every_months = 6
relabel_share = 0.2

[rag]
context_tokens = 1500
cost_per_query = 0.0004
fixed_monthly = 300

[[api_models]]
name = "GPT-4o"
input = 2.50
output = 10.00
cached_input = 1.25
source = "vendor price page, 2025"

[[api_models]]
name = "GPT-4o mini"
input = 0.15
output = 0.60

[[gpus]]
name = "H100 PCIe"
hourly = 1.99

[[options]]
name = "API + prompting"
serve = "api"
model = "GPT-4o"
baseline = true
prompt_caching = true
review_rate = 0.02

[[options]]
name = "RAG + fine-tuned mini"
model = "GPT-4o mini"
rag = true
fine_tune = true
prompt_reduction = 0.6
ops_fte = 0.5
fixed_monthly = 400
setup_cost = 20000

[[options]]
name = "Distilled 8B, self-hosted"
serve = "self_hosted"
gpu = "H100 PCIe"
distill = true
teacher = "GPT-4o"
tokens_per_second_per_gpu = 1800
hosting = "always_on"
min_gpus = 2
target_utilization = 0.6
ops_fte = 1.0
throughput_estimated = true

[[options]]
name = "On-demand 8B"
serve = "self_hosted"
gpu = "H100 PCIe"
requests_per_second_per_gpu = 3
hosting = "on_demand"
min_gpu_hours_per_month = 200

[[risks]]
id = "distribution-collapse"
mitigated = true
note = "out-of-distribution eval set of 300 examples"

[[risks]]
id = "model-drift"
mitigated = false
note = ""
'''


def only_files(folder) -> list[str]:
    return sorted(os.listdir(folder))


# --- Round trips -----------------------------------------------------------------------------------


def test_rich_file_is_valid_and_complete():
    s = parse_text(RICH, "rich.toml")
    assert s.currency == "EUR"
    assert [o.name for o in s.options] == [
        "API + prompting",
        "RAG + fine-tuned mini",
        "Distilled 8B, self-hosted",
        "On-demand 8B",
    ]
    assert s.api_models[1].cached_input is None
    assert s.api_models[1].cached_price == 0.15
    assert s.workload.input_tokens == 1000.5
    assert "日本語" in s.description and "backslash \\ and" in s.description
    assert len(s.risks) == 2


def test_load_save_load_gives_an_equal_scenario(tmp_path):
    src = tmp_path / "rich.toml"
    src.write_text(RICH, encoding="utf-8")
    first = load(src)
    out = tmp_path / "saved.toml"
    save(first, out)
    second = load(out)
    assert second == first
    assert second.model_dump() == first.model_dump()


def test_save_load_save_gives_identical_bytes(tmp_path):
    s = parse_text(RICH, "rich.toml")
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    save(s, a)
    save(load(a), b)
    assert a.read_bytes() == b.read_bytes()
    # and the text the saver writes is what save puts on disk
    assert a.read_bytes() == dump_text(s).encode("utf-8")


def test_short_file_round_trips(tmp_path):
    p = tmp_path / "short.toml"
    p.write_text('name = "short"\n', encoding="utf-8")
    s = load(p)
    save(s, p)
    assert load(p) == s
    first = p.read_bytes()
    save(load(p), p)
    assert p.read_bytes() == first


def test_empty_file_is_the_default_scenario(tmp_path):
    p = tmp_path / "empty.toml"
    p.write_bytes(b"")
    s = load(p)
    assert s.options == [] and s.horizon_months == 24 and s.schema_version == 1


def test_whole_floats_load_back_as_equal_floats(tmp_path):
    s = parse_text("[workload]\nrequests_per_day = 100000.0\ndays_per_month = 30.0\n", "w.toml")
    p = tmp_path / "w.toml"
    save(s, p)
    back = load(p)
    assert back == s
    assert isinstance(back.workload.requests_per_day, float)


def test_carriage_return_in_text_survives_a_round_trip(tmp_path):
    """Windows line ends ("\r\n") become "\n" when text is read (a TOML multi-line string could not
    carry them through a save), so what is saved loads back equal, byte for byte on a second save."""
    s = parse_text('description = "first line\\r\\nsecond line"\n', "crlf.toml")
    assert s.description == "first line\nsecond line"
    p = tmp_path / "crlf.toml"
    save(s, p)
    assert load(p) == s
    first = p.read_bytes()
    save(load(p), p)
    assert p.read_bytes() == first


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    max_size=60,
)
# Names and labels refuse control and format characters (scenario.Label); free text keeps them.
NAME = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf")), min_size=1, max_size=30)
LABEL = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf")), max_size=60)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), LABEL, TEXT, NAME, st.lists(NAME, min_size=4, max_size=4, unique=True))
def test_random_scenarios_round_trip(data, name, description, currency, option_names):
    data["name"] = name
    data["description"] = description
    data["currency"] = currency[:12]
    for o, new in zip(data["options"], option_names, strict=False):
        o["name"] = new
    s = validate(data)
    text = dump_text(s)
    back = parse_text(text, "random.toml")
    assert back == s
    assert dump_text(back) == text


# --- Broken files ----------------------------------------------------------------------------------

GRIDS = """
[[api_models]]
name = "GPT-4o"
input = 2.5
output = 10
[[gpus]]
name = "H100"
hourly = 1.99
"""

BROKEN = {
    # case: (file text, words the message must contain)
    "unknown key, misspelt": (
        "[workload]\nrequests_per_dya = 3\n",
        ["requests_per_dya", "[workload]", "did you mean 'requests_per_day'"],
    ),
    "unknown top-level key": ("horizon = 12\n", ["horizon", "did you mean 'horizon_months'"]),
    "unknown key in a row": (
        GRIDS + '[[options]]\nname = "a"\nmodel = "GPT-4o"\nmodle = "x"\n',
        ["modle", "options", '"a"', "did you mean 'model'"],
    ),
    "wrong type": ('[workload]\nrequests_per_day = "lots"\n', ["requests_per_day", "[workload]", "type"]),
    "bool for a number": ("[workload]\nrequests_per_day = true\n", ["requests_per_day", "type"]),
    "NaN": ("[workload]\nrequests_per_day = nan\n", ["requests_per_day", "nan", "finite"]),
    "infinity": ("[workload]\ninput_tokens = inf\n", ["input_tokens", "inf"]),
    "negative value": ("[workload]\nrequests_per_day = -5\n", ["requests_per_day", "-5", ">= 0"]),
    "out of range": ("[workload]\ncacheable_share = 1.5\n", ["cacheable_share", "1.5", "<= 1"]),
    "horizon over 120": ("horizon_months = 121\n", ["horizon_months", "121"]),
    "fractional whole number": ("[training]\nruns = 2.5\n", ["runs", "[training]"]),
    "dangling model": (
        GRIDS + '[[options]]\nname = "a"\nmodel = "GPT-4"\n',
        ["model", '"a"', "GPT-4", "did you mean 'GPT-4o'"],
    ),
    "dangling gpu": (
        GRIDS
        + '[[options]]\nname = "a"\nserve = "self_hosted"\ngpu = "H10"\ntokens_per_second_per_gpu = 100\n',
        ["gpu", '"a"', "H10"],
    ),
    "dangling teacher": (
        GRIDS + '[[options]]\nname = "a"\nmodel = "GPT-4o"\ndistill = true\nteacher = "Claude"\n',
        ["teacher", '"a"', "Claude"],
    ),
    "dangling training gpu": (GRIDS + '[training]\ngpu = "A100"\n', ["[training]", "gpu", "A100"]),
    "self-hosted without throughput": (
        GRIDS + '[[options]]\nname = "a"\nserve = "self_hosted"\ngpu = "H100"\n',
        ['"a"', "tokens_per_second_per_gpu", "throughput"],
    ),
    "two baselines": (
        GRIDS
        + '[[options]]\nname = "a"\nmodel = "GPT-4o"\nbaseline = true\n'
        + '[[options]]\nname = "b"\nmodel = "GPT-4o"\nbaseline = true\n',
        ["baseline", '"b"', "two baselines"],
    ),
    "duplicate option names": (
        GRIDS + '[[options]]\nname = "a"\nmodel = "GPT-4o"\n[[options]]\nname = "a"\nmodel = "GPT-4o"\n',
        ["options", "name", '"a"', "twice"],
    ),
    "bad choice": (
        GRIDS + '[[options]]\nname = "a"\nmodel = "GPT-4o"\nserve = "cloud"\n',
        ["serve", "cloud"],
    ),
    "future schema": ("schema_version = 3\n", ["schema_version", "3", "newer"]),
    "unknown risk id": ('[[risks]]\nid = "model-drfit"\n', ["risks", "id", "did you mean 'model-drift'"]),
    "table where a value is expected": ("[workload.requests_per_day]\nx = 1\n", ["requests_per_day"]),
}


def check_message(message: str, path, words: list[str]) -> None:
    lines = message.splitlines()
    assert 1 <= len(lines) <= 3, message
    assert str(path) in lines[0], message
    assert "Traceback" not in message
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_names_file_and_key(tmp_path, case):
    text, words = BROKEN[case]
    p = tmp_path / "broken.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load(p)
    check_message(str(err.value), p, words)


def test_toml_syntax_error_has_line_and_column(tmp_path):
    p = tmp_path / "syntax.toml"
    p.write_text('name = "x"\n[workload]\nrequests_per_day = = 3\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load(p)
    msg = str(err.value)
    check_message(msg, p, ["line 3", "column", "TOML"])


def test_unclosed_string_is_a_syntax_error(tmp_path):
    p = tmp_path / "syntax.toml"
    p.write_text('name = "unclosed\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load(p)
    check_message(str(err.value), p, ["line 1", "column"])


def test_several_problems_stay_within_three_lines(tmp_path):
    p = tmp_path / "many.toml"
    p.write_text(
        "[workload]\nrequests_per_day = -1\ninput_tokens = -1\noutput_tokens = -1\n"
        "cacheable_share = 2\npeak_to_average = 0\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as err:
        load(p)
    check_message(str(err.value), p, ["requests_per_day"])


def test_binary_file(tmp_path):
    p = tmp_path / "binary.toml"
    rng = random.Random(7)
    p.write_bytes(b"\xff\xfe\x00" + bytes(rng.randrange(256) for _ in range(512)))
    with pytest.raises(ScenarioError) as err:
        load(p)
    check_message(str(err.value), p, ["UTF-8"])


def test_file_with_nul_bytes(tmp_path):
    p = tmp_path / "nul.toml"
    p.write_bytes(b'name = "x"\x00\n')
    with pytest.raises(ScenarioError) as err:
        load(p)
    check_message(str(err.value), p, ["NUL"])


def test_missing_file(tmp_path):
    p = tmp_path / "nowhere.toml"
    with pytest.raises(ScenarioError) as err:
        load(p)
    check_message(str(err.value), p, ["no such file"])


def test_folder(tmp_path):
    d = tmp_path / "a_folder.toml"
    d.mkdir()
    with pytest.raises(ScenarioError) as err:
        load(d)
    check_message(str(err.value), d, ["folder"])


def test_parse_text_names_the_given_name():
    with pytest.raises(ScenarioError) as err:
        parse_text("[workload]\ncacheable_share = 1.5\n", "my scenario.toml")
    assert str(err.value).startswith("my scenario.toml: [workload].cacheable_share")


# --- Atomic save -----------------------------------------------------------------------------------


def test_save_leaves_no_temporary_files(tmp_path):
    s = parse_text(RICH, "rich.toml")
    p = tmp_path / "s.toml"
    save(s, p)
    assert only_files(tmp_path) == ["s.toml"]
    save(s, p)  # overwriting an existing file
    assert only_files(tmp_path) == ["s.toml"]
    assert load(p) == s


def test_save_into_a_missing_folder_fails_cleanly(tmp_path):
    s = parse_text(RICH, "rich.toml")
    target = tmp_path / "missing" / "s.toml"
    with pytest.raises(ScenarioError) as err:
        save(s, target)
    assert str(target) in str(err.value)
    assert len(str(err.value).splitlines()) <= 3
    assert not target.exists()
    assert not (tmp_path / "missing").exists()
    assert only_files(tmp_path) == []


def test_failed_replace_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    old = parse_text('name = "old"\n', "old.toml")
    new = parse_text(RICH, "rich.toml")
    p = tmp_path / "s.toml"
    save(old, p)
    before = p.read_bytes()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(ScenarioError) as err:
        save(new, p)
    monkeypatch.undo()
    assert str(p) in str(err.value)
    assert p.read_bytes() == before
    assert only_files(tmp_path) == ["s.toml"]


def test_byte_order_mark_is_read_and_not_written_back(tmp_path):
    """A Windows editor's UTF-8 byte-order mark is not a TOML syntax error; a save leaves it out."""
    from helpers import PRESETS

    from workbench.session.document import Document

    path = tmp_path / "bom.toml"
    text = (PRESETS / "starter.toml").read_text("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load(path) == load(PRESETS / "starter.toml")
    assert parse_text("\ufeff" + text) == load(path)
    doc = Document.open(path)
    assert doc.source == text
    doc.save(path)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert load(path) == load(PRESETS / "starter.toml")
