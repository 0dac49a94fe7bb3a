"""docs/model.md, the cost model's reference page, against the code that cites it and the contract it restates.

The code cites the contract by section number ("MODEL.md section 2"); the contract itself lives outside
the repository (`../shared/MODEL.md`), so docs/model.md restates it with the same numbers. These tests
hold the page to that: every section number cited in the code has a heading on the page, the page has
every section of the contract (and, when the contract is on this machine, exactly its numbered
headings and version), and the names a reader looks up (cost components, JSON report keys, the engine's
formula columns) appear on it. The package is read as source; the report keys come from tests/helpers.py.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from helpers import REPORT_KEYS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "model.md"
CONTRACT = ROOT.parent / "shared" / "MODEL.md"  # outside the repo: present on the build machine only

# The contract's numbered sections and a word each title must keep (version 2 of MODEL.md).
SECTIONS = {
    "1": "scenario file",
    "2": "formulas",
    "3": "report",
    "4": "ladder",
    "5": "risk",
    "6": "version 2",
    "6.0": "equal",
    "6.1": "live",
    "6.2": "provider",
    "6.3": "pre-training",
    "6.4": "recommendation",
}
# The seven monthly components (MODEL.md sections 2 and 3); the JSON keys of section 3 are helpers.REPORT_KEYS.
COMPONENTS = ("inference", "retrieval", "review", "people", "fixed", "one_time", "retrain")
VERDICTS = ("go", "not needed", "not yet", "blocked")
RISK_IDS = (
    "distribution-collapse",
    "insufficient-data",
    "model-drift",
    "no-eval-harness",
    "no-ml-talent",
    "hidden-tco",
    "moving-target",
    "idle-capacity",
    "data-leaves-network",
    "frontier-obsolescence",
    "vendor-lock-in",
    "no-staged-rollout",
)

# "MODEL.md section 2", "section 4", "sections 2.3", "MODEL.md §5", "docs/model.md § 6.1"
CITATION = re.compile(r"\bsections?\s+(\d+(?:\.\d+)*)|§\s*(\d+(?:\.\d+)*)", re.IGNORECASE)
HEADING = re.compile(r"^(#{1,6})\s+(\d+(?:\.\d+)*)\.?\s+(.*?)\s*$")


def _headings(text: str) -> dict[str, str]:
    """Numbered headings outside code fences: number -> title."""
    out: dict[str, str] = {}
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = HEADING.match(line)
        if m and not fenced:
            out[m[2]] = m[3]
    return out


def _section(text: str, number: str) -> str:
    """The text of one numbered section, up to the next heading of the same or a higher level (lines in
    code fences are never headings: a TOML comment may start a line)."""
    lines = text.splitlines()
    start: int | None = None
    level = 0
    fenced = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced or not line.startswith("#"):
            continue
        depth = len(line) - len(line.lstrip("#"))
        if start is None:
            m = HEADING.match(line)
            if m and m[2] == number:
                start, level = i, depth
        elif depth <= level:
            return "\n".join(lines[start:i])
    assert start is not None, f"docs/model.md has no heading numbered {number}"
    return "\n".join(lines[start:])


def _named(text: str, name: str) -> bool:
    """`name` appears as code (`name`) or as a JSON key ("name") in the text."""
    return f"`{name}`" in text or f'"{name}"' in text


def _sources() -> list[Path]:
    return sorted([*(ROOT / "workbench").rglob("*.py"), *(ROOT / "tests").rglob("*.py")])


def citations() -> list[tuple[str, int, str]]:
    """(file, line, section number) for every section number cited in the package and its tests."""
    out = []
    for path in _sources():
        if path.name == Path(__file__).name:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in CITATION.finditer(line):
                out.append((str(path.relative_to(ROOT)), n, m[1] or m[2]))
    return out


@pytest.fixture(scope="module")
def doc() -> str:
    assert DOC.is_file(), "docs/model.md is missing: the code's MODEL.md citations point at it"
    return DOC.read_text(encoding="utf-8")


def test_the_page_has_every_section_of_the_contract(doc):
    found = _headings(doc)
    for number, word in SECTIONS.items():
        assert number in found, f"docs/model.md lacks the heading of MODEL.md section {number} ({word})"
        assert word in found[number].lower(), (
            f"section {number} is titled {found[number]!r}: expected {word!r}"
        )


def test_the_page_numbers_only_the_contracts_sections(doc):
    """Sub-headings of the page's own carry no number, so a number cited always means the contract's."""
    extra = set(_headings(doc)) - set(SECTIONS)
    assert not extra, f"docs/model.md numbers headings the contract does not have: {sorted(extra)}"


def test_every_cited_section_exists(doc):
    found = _headings(doc)
    cited = citations()
    assert cited, "no section citations found in workbench/ or tests/: has the citation pattern changed?"
    missing = [f"{f}:{n} cites section {s}" for f, n, s in cited if s not in found]
    assert not missing, "citations of sections docs/model.md does not have:\n" + "\n".join(missing)


def test_the_citation_pattern_reads_every_spelling():
    text = "MODEL.md section 2; (section 4); sections 6.1 and; MODEL.md §5; docs/model.md § 6.0; Section 3."
    assert [m[1] or m[2] for m in CITATION.finditer(text)] == ["2", "4", "6.1", "5", "6.0", "3"]


def test_a_missing_section_fails(doc):
    """The checks above can fail: drop section 4 and both its heading and its citation go missing."""
    without = re.sub(r"(?ms)^## 4\. .*?(?=^## 5\. )", "", doc)
    assert "4" in _headings(doc) and "4" not in _headings(without)
    assert any(s == "4" for _, _, s in citations())


def test_the_page_says_what_it_restates(doc):
    head = doc[:2000]
    assert "../shared/MODEL.md" in head
    assert re.search(r"Contract version: (\d+)", head), "the page must state the contract's version"
    assert re.search(r"\b\d{4}-\d{2}-\d{2}\b", head), "the page must give the date it was checked"
    status = _section(doc, "6")[:1200].lower()
    assert "status: implemented" in status, "section 6 must open with its status: what the code implements"


def _skeleton(text: str) -> dict:
    """The JSON block of a section 3, parsed; placeholders like `[ ... H numbers ... ]` read as []."""
    block = re.search(r"(?s)```json\n(.*?)```", text)
    assert block, "section 3 has no JSON block"
    return json.loads(re.sub(r"\[\s*\.\.\.[^\]]*\]", "[]", block[1]))


def _shape(report: dict) -> dict[str, set[str]]:
    """The keys at each place of a report: top, option, components, ladder step, recommendation, risk."""
    option = report["options"][0]
    return {
        "top": set(report),
        "option": set(option),
        "components": set(option["components"]),
        "ladder step": set(report["ladder"][0]),
        "recommendation": set(report["recommendation"]),
        "risk": set(report["risks"][0]),
    }


def test_the_report_skeleton_has_every_key_in_its_place(doc):
    report = _section(doc, "3")
    shape = _shape(_skeleton(report))
    expected = dict(REPORT_KEYS, components=set(COMPONENTS))
    for where, keys in expected.items():
        assert shape[where] == set(keys), (
            f"section 3's JSON, {where}: {sorted(shape[where])} != {sorted(keys)}"
        )
        for k in keys:  # and each key is explained in the table below the block
            assert f"`{k}`" in report, f"section 3 does not explain the {where} key {k!r}"


def test_components_verdicts_and_risks_are_documented(doc):
    formulas = _section(doc, "2")
    for c in COMPONENTS:
        assert re.search(rf"\b{c}\(o, m\)", formulas), f"section 2 has no formula for the component {c!r}"
    for v in VERDICTS:
        assert _named(_section(doc, "4"), v), f"section 4 does not name the verdict {v!r}"
    risks = _section(doc, "5")
    for r in RISK_IDS:
        assert re.search(rf"^\| `{r}` \|", risks, re.MULTILINE), f"section 5's table lacks the risk {r!r}"


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_codes_components_are_documented(doc):
    """Any COMPONENTS tuple in the package (the engine's, a version-2 one with fallback and pretraining)
    names only components the page documents, in section 3 or section 6."""
    names: set[str] = set()
    for path in (ROOT / "workbench").rglob("*.py"):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "COMPONENTS" for t in node.targets
            ):
                value = ast.literal_eval(node.value)
                names.update(value)
    if not names:
        pytest.skip("no COMPONENTS tuple in the package to compare")
    assert set(COMPONENTS) <= names, f"the code's COMPONENTS {sorted(names)} lack some of the contract's"
    where = _section(doc, "3") + _section(doc, "6")
    missing = sorted(n for n in names if not _named(where, n))
    assert not missing, f"components computed by the code but not documented: {missing}"


def test_the_engines_formula_columns_are_documented(doc):
    """Each `Def("name", ...)` in the package (the engine's formula columns) is named on the page, so a
    reader of `workbench explain` output can look any figure up."""
    defs: set[str] = set()
    for path in (ROOT / "workbench").rglob("*.py"):
        for node in ast.walk(_tree(path)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Def"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                defs.add(node.args[0].value)
    if not defs:
        pytest.skip("no Def(...) formula columns in the package to compare")
    missing = sorted(d for d in defs if not _named(doc, d))
    assert not missing, f"formula columns of the engine that docs/model.md does not name: {missing}"


@pytest.mark.skipif(not CONTRACT.is_file(), reason="../shared/MODEL.md is not on this machine")
def test_in_step_with_the_contract(doc):
    """When the contract is at hand: the same numbered headings, the same version, every JSON key."""
    contract = CONTRACT.read_text(encoding="utf-8")
    assert set(_headings(contract)) == set(_headings(doc)), "numbered headings differ from ../shared/MODEL.md"
    version = re.search(r"\bv(\d+) contract", contract.splitlines()[0])
    stated = re.search(r"Contract version: (\d+)", doc)
    assert version and stated and version[1] == stated[1], "docs/model.md states another contract version"
    assert _shape(_skeleton(_section(contract, "3"))) == _shape(_skeleton(_section(doc, "3"))), (
        "the JSON report of section 3 differs from ../shared/MODEL.md's"
    )
