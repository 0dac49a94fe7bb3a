"""The package's folders are layers, and the imports must respect them.

Low to high: model < store < edits < session < (cli, tui). A module may import its own layer and the
layers below it, never one above. cli and tui are both at the top and neither imports the other, with one
exception: `workbench.cli.run` opens the app through a function-level import of `workbench.tui.app`
(so the headless commands never load Textual). `workbench/__main__.py` is the entry point above them all.

Every import counts, wherever it is written: inside functions, under `if TYPE_CHECKING:`, relative ones
(resolved). Besides the layers, no two modules may import each other, directly or through others: a
circle means neither can be read, tested or loaded without the other.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "workbench"

LAYERS = {"model": 0, "store": 1, "edits": 2, "session": 3, "cli": 4, "tui": 4}
ROOT_RANK = -1  # the package's own __init__: anything may import it
ENTRY_RANK = 9  # __main__: may import anything
# (importer, imported) pairs allowed between the two top layers, and only from inside a function.
LAZY_ACROSS_TOP = {("workbench.cli.run", "workbench.tui.app")}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    target: str  # the package's module it loads
    path: str  # the importer's file, relative to the package's parent
    line: int
    in_function: bool


def module_name(file: Path, package_dir: Path) -> str:
    parts = list(file.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(name: str, known: set[str]) -> str:
    """The module a dotted name loads: itself, or the longest prefix that is a module (a.b.Class -> a.b)."""
    while name not in known and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _imports_in(file: Path, package_dir: Path, known: set[str]) -> list[Import]:
    importer, root = module_name(file, package_dir), package_dir.name
    is_package = file.name == "__init__.py"
    shown = file.relative_to(package_dir.parent).as_posix()
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=shown)
    found: list[Import] = []

    def add(target: str, node: ast.stmt, in_function: bool) -> None:
        if target == root or target.startswith(root + "."):
            found.append(Import(importer, _resolve(target, known), shown, node.lineno, in_function))

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    add(alias.name, child, in_function)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative: from the importer's package, one level up per extra dot
                    package = importer if is_package else importer.rsplit(".", 1)[0]
                    for _ in range(child.level - 1):
                        package = package.rsplit(".", 1)[0]
                    base = f"{package}.{base}" if base else package
                for alias in child.names:
                    full = f"{base}.{alias.name}"
                    add(full if full in known else base, child, in_function)
            walk(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    walk(tree, False)
    return found


def scan(package_dir: Path) -> list[Import]:
    """Every import of the package's own modules, in every module of the package (once per line)."""
    files = sorted(package_dir.rglob("*.py"))
    known = {module_name(f, package_dir) for f in files}
    return list(dict.fromkeys(imp for f in files for imp in _imports_in(f, package_dir, known)))


def layer_of(module: str) -> tuple[str, int]:
    parts = module.split(".")
    if len(parts) == 1:
        return "root", ROOT_RANK
    if parts[1:] == ["__main__"]:
        return "entry", ENTRY_RANK
    if parts[1] not in LAYERS:
        raise AssertionError(f"{module} is in no layer: put it in one of {sorted(LAYERS)} or add its folder")
    return parts[1], LAYERS[parts[1]]


def upward(imports: list[Import]) -> list[str]:
    """One line per import of a layer above the importer's (or across the top, outside the exception)."""
    out = []
    for imp in imports:
        (src, src_rank), (dst, dst_rank) = layer_of(imp.importer), layer_of(imp.target)
        if dst_rank > src_rank:
            why = f"{dst} is above {src}"
        elif dst_rank == src_rank and dst != src and src_rank == LAYERS["cli"]:
            if imp.in_function and (imp.importer, imp.target) in LAZY_ACROSS_TOP:
                continue
            why = "cli and tui do not import each other (only cli.run opens tui.app, inside a function)"
        else:
            continue
        out.append(f"{imp.path}:{imp.line}: {imp.importer} imports {imp.target}: {why}")
    return out


def circles(imports: list[Import]) -> list[str]:
    """One block per group of modules that reach each other through imports (each import listed)."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.importer, set()).add(imp.target)

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reaches = {m: reach(m) for m in graph}
    groups = {
        frozenset({m} | {o for o in reaches[m] if m in reaches.get(o, set())})
        for m in graph
        if m in reaches[m]  # m is on a circle (this also catches a module importing itself)
    }
    out = []
    for group in sorted(groups, key=sorted):
        lines = [
            f"  {imp.path}:{imp.line}: {imp.importer} imports {imp.target}"
            for imp in imports
            if imp.importer in group and imp.target in group
        ]
        out.append(f"circle between {', '.join(sorted(group))}:\n" + "\n".join(lines))
    return out


# --- the package itself ---------------------------------------------------------------------------------


def test_no_import_reaches_a_layer_above():
    bad = upward(scan(PACKAGE))
    assert not bad, "imports of a layer above:\n" + "\n".join(bad)


def test_no_import_circles():
    bad = circles(scan(PACKAGE))
    assert not bad, "import circles:\n" + "\n".join(bad)


def test_the_scan_sees_the_package():
    """Guards the two tests above against passing on an empty or blind scan."""
    imports = scan(PACKAGE)
    assert len({imp.importer for imp in imports}) > 30
    lazy = [i for i in imports if (i.importer, i.target) == ("workbench.cli.run", "workbench.tui.app")]
    assert lazy and all(i.in_function for i in lazy)


# --- the checks themselves, on small made-up packages ----------------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "workbench"
    for rel, text in files.items():
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        for parent in [f.parent, *f.parent.parents]:
            if parent == root.parent:
                break
            (parent / "__init__.py").touch()
        f.write_text(text, encoding="utf-8")
    return root


def test_scan_finds_imports_of_every_kind(tmp_path):
    root = _package(
        tmp_path,
        {
            "model/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from workbench.store import s\n",
            "model/b.py": "def f():\n    from . import a\n    import workbench.edits.e\n",
            "model/c.py": "from .a import Thing\nfrom ..session import d\nimport os\n",
            "store/s.py": "from workbench.model.a import x, y\n",
            "edits/e.py": "",
            "session/d.py": "",
        },
    )
    got = {(i.importer, i.target, i.line, i.in_function) for i in scan(root)}
    assert got == {
        ("workbench.model.a", "workbench.store.s", 3, False),
        ("workbench.model.b", "workbench.model.a", 2, True),
        ("workbench.model.b", "workbench.edits.e", 3, True),
        ("workbench.model.c", "workbench.model.a", 1, False),
        ("workbench.model.c", "workbench.session.d", 2, False),
        ("workbench.store.s", "workbench.model.a", 1, False),
    }
    paths = {i.path for i in scan(root)}
    assert "workbench/model/b.py" in paths


def _imp(importer: str, target: str, line: int = 1, in_function: bool = False) -> Import:
    return Import(
        f"workbench.{importer}", f"workbench.{target}", importer.replace(".", "/") + ".py", line, in_function
    )


def test_upward_names_the_file_line_and_module():
    imports = [
        _imp("model.sensitivity", "store.files", 292, in_function=True),
        _imp("store.files", "model.scenario", 25),
        _imp("tui.data_screens", "cli.data", 296, in_function=True),
        _imp("cli.run", "tui.app", 142, in_function=True),  # the one allowed crossing
        _imp("cli.serving", "tui.app", 7, in_function=True),
        _imp("cli.run", "tui.app", 9),  # allowed only inside a function
        _imp("session.document", "session.recovery", 3),
    ]
    assert upward(imports) == [
        "model/sensitivity.py:292: workbench.model.sensitivity imports workbench.store.files: store is above model",
        "tui/data_screens.py:296: workbench.tui.data_screens imports workbench.cli.data: cli and tui do not "
        "import each other (only cli.run opens tui.app, inside a function)",
        "cli/serving.py:7: workbench.cli.serving imports workbench.tui.app: cli and tui do not import each "
        "other (only cli.run opens tui.app, inside a function)",
        "cli/run.py:9: workbench.cli.run imports workbench.tui.app: cli and tui do not import each other "
        "(only cli.run opens tui.app, inside a function)",
    ]


def test_a_module_outside_the_layers_is_refused():
    try:
        upward([_imp("loose", "model.fmt")])
    except AssertionError as exc:
        assert "workbench.loose is in no layer" in str(exc)
    else:
        raise AssertionError("a loose module passed")


def test_circles_are_found_directly_and_through_other_modules():
    imports = [
        _imp("edits.edit", "edits.ranges", 64, in_function=True),
        _imp("edits.ranges", "edits.edit", 11),
        _imp("model.a", "model.b", 1),
        _imp("model.b", "model.c", 2),
        _imp("model.c", "model.a", 3),
        _imp("model.c", "model.d", 4),  # d is reached but reaches nothing: not on the circle
        _imp("model.self", "model.self", 5),
    ]
    assert circles(imports) == [
        "circle between workbench.edits.edit, workbench.edits.ranges:\n"
        "  edits/edit.py:64: workbench.edits.edit imports workbench.edits.ranges\n"
        "  edits/ranges.py:11: workbench.edits.ranges imports workbench.edits.edit",
        "circle between workbench.model.a, workbench.model.b, workbench.model.c:\n"
        "  model/a.py:1: workbench.model.a imports workbench.model.b\n"
        "  model/b.py:2: workbench.model.b imports workbench.model.c\n"
        "  model/c.py:3: workbench.model.c imports workbench.model.a",
        "circle between workbench.model.self:\n  model/self.py:5: workbench.model.self imports workbench.model.self",
    ]
    assert circles(imports[5:6]) == []
