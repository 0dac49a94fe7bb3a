"""Broken version-2 files (docs/model.md section 6): `workbench validate` and `workbench report` refuse
each with exit code 1 and one short message that names the row and the key a user has to fix.

Every case is a valid version-2 file with one thing changed, so the single message is that thing's.
"""

from __future__ import annotations

import pytest
from helpers import run_cli

GOOD = """schema_version = 2
horizon_months = 12
[pretraining]
gpu = "H100"
[[api_models]]
name = "big"
input = 2.5
output = 10
[[api_models]]
name = "mini"
input = 0.3
output = 1.2
training_per_mtok = 3.0
[[gpus]]
name = "H100"
hourly = 2.0
bf16_tflops = 989
[[gpus]]
name = "L4"
hourly = 0.8
[[options]]
name = "API"
model = "big"
[[options]]
name = "Mini"
model = "mini"
[[options]]
name = "Tuned"
model = "mini"
fine_tune = true
train_on = "provider"
go_live_month = 2
rollout = [0.05, 0.25]
fallback_share = 0.1
[[options]]
name = "Self"
serve = "self_hosted"
gpu = "H100"
tokens_per_second_per_gpu = 1000
go_live_month = 3
fallback = "Mini"
[[options]]
name = "Scratch"
serve = "self_hosted"
gpu = "H100"
tokens_per_second_per_gpu = 1000
pretrain = "scratch"
"""


# A version-1 file, and a version-2 file whose baseline is self-hosted.
V1 = """schema_version = 1
[[api_models]]
name = "big"
input = 2.5
output = 10
[[options]]
name = "API"
model = "big"
[[options]]
name = "Mini"
model = "big"
"""
SELF_BASE = """schema_version = 2
[[api_models]]
name = "big"
input = 2.5
output = 10
[[gpus]]
name = "H100"
hourly = 2.0
[[options]]
name = "Self"
serve = "self_hosted"
gpu = "H100"
tokens_per_second_per_gpu = 1000
[[options]]
name = "Tuned"
model = "big"
go_live_month = 3
"""


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the edit {old!r} must match once"
    return text.replace(old, new)


def _option(name: str, old: str, new: str) -> str:
    """GOOD with one line of the option `name` changed (or a line added after its name, old = "")."""
    head = f'name = "{name}"\n'
    start = GOOD.index(head) + len(head)
    end = GOOD.find("[[", start)
    end = len(GOOD) if end < 0 else end
    body = GOOD[start:end]
    body = body + new + "\n" if not old else _edit(body, old, new)
    return GOOD[:start] + body + GOOD[end:]


# case -> (file text, words the one message must hold: the row, the key and what is wrong)
CASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "fallback not an API option": (
        _option("Self", 'fallback = "Mini"', 'fallback = "Scratch"'),
        ('"Self"', "fallback", "'Scratch'", "not an API option"),
    ),
    "fallback that does not exist": (
        _option("Self", 'fallback = "Mini"', 'fallback = "Mimi"'),
        ('"Self"', "fallback", "'Mimi'", "Mini"),
    ),
    "fallback that rolls out itself": (
        _option("Self", 'fallback = "Mini"', 'fallback = "Tuned"'),
        ('"Self"', "fallback", "'Tuned'", "rolls out"),
    ),
    "its own fallback": (
        _option("Tuned", "", 'fallback = "Tuned"'),
        ('"Tuned"', "fallback", "own fallback"),
    ),
    "rollout share above 1": (
        _option("Tuned", "rollout = [0.05, 0.25]", "rollout = [0.05, 1.5]"),
        ('"Tuned"', "rollout", "1"),
    ),
    "go-live month past the horizon": (
        _option("Tuned", "go_live_month = 2", "go_live_month = 13"),
        ('"Tuned"', "go_live_month", "13", "horizon_months = 12"),
    ),
    "provider training on a self-hosted option": (
        _option("Self", "", 'fine_tune = true\ntrain_on = "provider"'),
        ('"Self"', "train_on", "API"),
    ),
    "provider training on a model with no training price": (
        _option("Tuned", 'model = "mini"', 'model = "big"'),
        ('"Tuned"', "train_on", "'big'", "training_per_mtok", "training_per_hour"),
    ),
    "provider training on an option that trains nothing": (
        _option("Tuned", "fine_tune = true", "fine_tune = false"),
        ('"Tuned"', "train_on", "fine_tune", "distill"),
    ),
    "pre-training GPU without bf16_tflops": (
        _edit(GOOD, 'gpu = "H100"\n[[api_models]]', 'gpu = "L4"\n[[api_models]]'),
        ("[[gpus]]", '"L4"', "bf16_tflops"),
    ),
    "pre-training an API option": (
        _option("Mini", "", 'pretrain = "scratch"'),
        ('"Mini"', "pretrain", "self_hosted"),
    ),
    "continued pre-training without pretrain_tokens": (
        _option("Scratch", 'pretrain = "scratch"', 'pretrain = "continued"'),
        ('"Scratch"', "pretrain_tokens", "continued"),
    ),
    "pre-training with no [pretraining].gpu": (
        _edit(GOOD, '[pretraining]\ngpu = "H100"\n', ""),
        ("[pretraining]", "gpu", "pretrain"),
    ),
    "a baseline that rolls out": (
        _option("API", "", "rollout = [0.5]"),
        ('"API"', "rollout", "baseline"),
    ),
    "a baseline that goes live late": (
        _option("API", "", "go_live_month = 2"),
        ('"API"', "go_live_month", "baseline"),
    ),
    "a baseline with a fallback share": (
        _option("API", "", "fallback_share = 0.1"),
        ('"API"', "fallback_share", "baseline"),
    ),
    "a version-1 file with a version-2 key": (
        V1 + "fallback_share = 0.2\n",
        ('"Mini"', "fallback_share", "schema_version = 2"),
    ),
    "a fallback needed when the baseline is self-hosted": (
        SELF_BASE,
        ('"Tuned"', "go_live_month", "baseline", "'Self'", "not an API option"),
    ),
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("broken")
    out = {}
    for i, (case, (text, _)) in enumerate(CASES.items()):
        path = folder / f"case{i}.toml"
        path.write_text(text, encoding="utf-8")
        out[case] = path
    return out


def test_the_good_file_is_valid(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    done = run_cli("validate", str(path))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("command", ["validate", "report"])
def test_a_broken_file_gets_one_message_naming_its_key(broken, case, command):
    done = run_cli(command, str(broken[case]))
    assert done.returncode == 1, f"{case}: exit {done.returncode}\n{done.stdout}{done.stderr}"
    lines = [x for x in (done.stdout + done.stderr).splitlines() if x.strip()]
    assert len(lines) == 1, f"{case}: one message expected, got:\n" + "\n".join(lines)
    message = lines[0]
    for word in CASES[case][1]:
        assert word in message, f"{case}: {word!r} not in the message {message!r}"
    assert len(message) - len(str(broken[case])) < 200, f"{case}: the message is long: {message!r}"
