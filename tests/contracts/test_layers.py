"""Imports point one way: cli -> output -> check, fitting -> planning -> hardware -> results
-> laws catalog -> forms -> law-file format -> errors, units, maths; and there are no cycles.

Every import counts, at module level, inside functions and under TYPE_CHECKING, because a
cycle of any of them is a knot a reader has to untie. The layers are the architecture of
docs/architecture.md; a module belongs to the layer of the longest prefix that names it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

LAYERS = [
    ("entry", ("planner.__main__",)),
    ("cli", ("planner.cli",)),
    ("api", ("planner",)),
    ("output", ("planner.output",)),
    ("applications", ("planner.check", "planner.fitting", "planner.laws.__main__")),
    ("planning", ("planner.planning",)),
    ("hardware", ("planner.hardware",)),
    (
        "results",
        ("planner.planning.results", "planner.planning.picture_results", "planner.planning.design_results"),
    ),
    (
        "catalog",
        (
            "planner.laws.catalog",
            "planner.laws.index",
            "planner.laws.validate",
            "planner.laws.write",
        ),
    ),
    ("forms", ("planner.forms",)),
    ("format", ("planner.laws", "planner.laws.format")),
    (
        "base",
        (
            "planner.errors",
            "planner.flat_toml",
            "planner.human",
            "planner.inputs",
            "planner.jsontext",
            "planner.memo",
            "planner.units",
            "planner.optimize",
            "planner.records",
            "planner.strict",
            "planner.validation",
            "planner.version",
        ),
    ),
]
"""Top to bottom: a module may import its own layer and the layers below it."""


def modules() -> dict[str, Path]:
    files = sorted((ROOT / "planner").rglob("*.py"))
    names = {}
    for path in files:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The planner modules `name` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                ).strip(".")
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                found.add(target)
    return found


def layer(name: str) -> int:
    matches = [
        (len(prefix), index)
        for index, (_, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
        if name == prefix or name.startswith(prefix + ".")
    ]
    assert matches, f"{name} is in no layer; add it to LAYERS and docs/architecture.md"
    return max(matches)[1]


GRAPH = {name: imports(name, path, modules()) for name, path in modules().items()}


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_imports_point_down_the_layers(name: str) -> None:
    upward = [other for other in sorted(GRAPH[name]) if layer(other) < layer(name)]
    assert not upward, f"{name} ({LAYERS[layer(name)][0]}) imports {upward} from a layer above it"


def test_no_import_cycles() -> None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for other in sorted(GRAPH[name]):
            if state.get(other) == 1:
                cycle = [*path[path.index(other) :], other]
                pytest.fail(f"import cycle: {' -> '.join(cycle)}")
            if other not in state:
                visit(other)
        path.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


def test_only_forms_ask_which_form_a_law_has() -> None:
    """Outside planner/forms, no isinstance on law classes and no branch on a form name."""
    from planner.forms import form_names

    forms = set(form_names())
    offences = []
    for name, path in modules().items():
        if name.startswith("planner.forms"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            called = isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance"
            if called and "Law" in ast.unparse(node.args[1]):
                offences.append(f"{name}: {ast.unparse(node)}")
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                named = any(isinstance(side, ast.Constant) and side.value in forms for side in sides)
                if named and any(ast.unparse(side).endswith("form") for side in sides):
                    offences.append(f"{name}: {ast.unparse(node)}")
    assert not offences, offences
