"""A rollout typed into its cell (docs/model.md 6.1): shares as percentages or fractions, shown as
percentages; a bad entry is refused in one line that names the cell and says what is expected."""

from __future__ import annotations

import pytest
from helpers import STARTER

from workbench.edits import edit
from workbench.store import files

START = files.load(STARTER)
ROLLOUT = ("options", 2, "rollout")  # the fine-tuned option of the starter


@pytest.mark.parametrize(
    "text, shares",
    [
        ("5%, 25%, 50%", [0.05, 0.25, 0.5]),
        ("0.05, 0.25", [0.05, 0.25]),
        ("[0.05, 0.25]", [0.05, 0.25]),
        ("5% 25%", [0.05, 0.25]),
        ("12.5%;100%", [0.125, 1.0]),
        ("0%", [0.0]),
        ("", []),
        ("  ", []),
        ("[]", []),
    ],
)
def test_shares_typed_every_way(text, shares):
    assert edit.field_kind(ROLLOUT)[0] == "shares"
    new = edit.apply_text(START, ROLLOUT, text)
    assert new.options[2].rollout == shares
    assert new.schema_version == (2 if shares else 1)  # a rollout is a version-2 key


def test_shares_shown_as_typed():
    assert edit.display([0.05, 0.25, 0.5]) == "5%, 25%, 50%"
    assert edit.display([0.125, 1.0]) == "12.5%, 100%"
    assert edit.display([]) == ""
    for text in ("5%, 25%, 50%", "12.5%, 100%", "1%, 2%, 3%, 4%, 10%"):  # what is shown reads back the same
        assert edit.display(edit.parse_value(ROLLOUT, text)) == text


@pytest.mark.parametrize(
    "text, says",
    [
        ("5%, x", "'x' is not a share"),
        ("120%", "120% is above 100%"),
        ("5, 25", "5 = 500% is above 100%"),
        ("-5%", "below 0%"),
        ("nan", "is not a share"),
        ("5%,, 1e400", "is not a share"),
    ],
)
def test_bad_shares_refused_naming_the_cell(text, says):
    with pytest.raises(edit.EditError) as err:
        edit.apply_text(START, ROLLOUT, text)
    msg = str(err.value)
    assert msg.startswith("[[options]][3].rollout: ") and says in msg, msg
    assert "0..100%" in msg and "5%, 25%" in msg  # what is expected
    assert len(msg.splitlines()) == 1 and len(msg) <= 80


def test_rollout_on_the_baseline_refused_by_the_schema():
    with pytest.raises(edit.EditError, match="rollout"):
        edit.apply_text(START, ("options", 0, "rollout"), "5%")
