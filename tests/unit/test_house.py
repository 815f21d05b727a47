"""The house keeps its rules: one room per responsibility, imports one way, callbacks only wire.

ingest -> layers -> analysis -> atlas -> views / reports -> callbacks -> app
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("ingest", "layers", "analysis", "atlas", "views", "reports", "callbacks")
RANK = {"ingest": 0, "layers": 1, "analysis": 2, "atlas": 3, "views": 4, "reports": 4, "callbacks": 5, "app": 6}
DASH_COMPONENTS = ("dash_bootstrap_components", "dash_table", "html", "dcc")
CALLBACKS_MAX_LINES = 1500
# the analysts' commands are entry points like app.py: they read the one settings table
ENTRY_POINTS = {("analysis/cli.py", "app")}


def modules(room: str):
    for path in sorted((ROOT / room).rglob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def imported_rooms(tree: ast.Module) -> list[tuple[int, str, str]]:
    """(line, room, full module name) of every in-repo import, at any depth."""
    out = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in RANK:
                out.append((node.lineno, top, name))
    return out


def dash_component_imports(tree: ast.Module) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] in DASH_COMPONENTS]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] == "dash_bootstrap_components":
                out.append((node.lineno, node.module))
            elif node.module == "dash":
                out += [(node.lineno, f"dash.{a.name}") for a in node.names if a.name in DASH_COMPONENTS]
            elif node.module.startswith("dash.") and node.module.split(".")[1] in DASH_COMPONENTS:
                out.append((node.lineno, node.module))
    return out


@pytest.mark.parametrize("room", ROOMS)
def test_every_room_is_our_own_package(room):
    module = importlib.import_module(room)
    assert Path(module.__file__).resolve().is_relative_to(ROOT), f"{room} is shadowed by {module.__file__}"


def test_imports_run_one_way():
    wrong = []
    for room in ROOMS:
        for path, tree in modules(room):
            for line, other, name in imported_rooms(tree):
                if (str(path.relative_to(ROOT)), other) in ENTRY_POINTS:
                    continue
                if RANK[other] > RANK[room] or (other != room and RANK[other] == RANK[room]):
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not wrong, "imports against ingest -> layers -> analysis -> atlas -> views/reports -> callbacks:\n" + "\n".join(wrong)


@pytest.mark.parametrize("room", ("ingest", "layers", "analysis", "atlas", "reports"))
def test_no_dash_components_below_the_views(room):
    found = [f"{p.relative_to(ROOT)}:{line} {name}" for p, tree in modules(room) for line, name in dash_component_imports(tree)]
    assert not found, "\n".join(found)


def test_the_checks_fail_on_a_wrong_import():
    tree = ast.parse("from views.ids import MAP\nimport callbacks.url\nfrom dash import html\n")
    assert [r for _, r, _ in imported_rooms(tree)] == ["views", "callbacks"]
    assert dash_component_imports(tree) == [(3, "dash.html")]
    assert wiring_problems(ast.parse("def register(app, model):\n    pass\n\ndef helper():\n    pass\n")) == ["helper"]


def called_names(node: ast.AST) -> set[str]:
    return {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)} | {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }


def wiring_problems(tree: ast.Module) -> list[str]:
    """Module-level functions that are neither `register` nor reached from it."""
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    reached, todo = set(), ["register"]
    while todo:
        name = todo.pop()
        if name in reached or name not in functions:
            continue
        reached.add(name)
        todo += [n for n in called_names(functions[name]) if n in functions]
    return sorted(set(functions) - reached)


def test_callbacks_only_wire():
    problems = []
    for path, tree in modules("callbacks"):
        if path.name == "__init__.py":
            continue
        names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        assert "register" in names or path.name == "__init__.py", f"{path.name} registers nothing"
        problems += [f"{path.relative_to(ROOT)}: {name}" for name in wiring_problems(tree)]
        problems += [
            f"{path.relative_to(ROOT)}: class {n.name}" for n in tree.body if isinstance(n, ast.ClassDef)
        ]
    assert not problems, "not wiring (move to atlas/, views/ or reports/):\n" + "\n".join(problems)


def test_callbacks_stay_small():
    lines = sum(len(p.read_text().splitlines()) for p in (ROOT / "callbacks").rglob("*.py"))
    assert lines < CALLBACKS_MAX_LINES, f"callbacks/ holds {lines} lines"


def inline_clientside(tree: ast.Module) -> list[int]:
    """Lines of `clientside_callback` calls whose first argument is JavaScript text."""
    return [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "clientside_callback"
        and n.args
        and not (isinstance(n.args[0], ast.Call) and getattr(n.args[0].func, "id", "") == "ClientsideFunction")
    ]


def clientside_names(tree: ast.Module) -> list[tuple[str, str]]:
    return [
        (n.args[0].value, n.args[1].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "ClientsideFunction" and len(n.args) == 2
    ]


def test_clientside_javascript_lives_in_assets():
    assert inline_clientside(ast.parse('app.clientside_callback("function(n) { return n; }", out, inp)\n')) == [1]
    inline, named = [], []
    for path, tree in modules("callbacks"):
        inline += [f"{path.relative_to(ROOT)}:{line}" for line in inline_clientside(tree)]
        named += clientside_names(tree)
    assert not inline, "inline JavaScript (move it to assets/js/clientside.js):\n" + "\n".join(inline)
    script = (ROOT / "assets" / "js" / "clientside.js").read_text()
    assert named and all(ns == "cobertura" for ns, _ in named)
    missing = [name for _, name in named if f"{name}: function" not in script]
    assert not missing, f"clientside functions not defined in assets/js/clientside.js: {missing}"


def environment_reads(tree: ast.Module) -> list[int]:
    """Lines that touch the environment: os.environ, os.getenv, os.putenv."""
    return [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and n.attr in ("environ", "getenv", "putenv")
        and isinstance(n.value, ast.Name) and n.value.id == "os"
    ]


def test_only_the_settings_read_the_environment():
    assert environment_reads(ast.parse('import os\nos.environ["X"] = "1"\nos.getenv("Y")\n')) == [2, 3]
    found = [f"{p.relative_to(ROOT)}:{line}" for room in ROOMS for p, tree in modules(room) for line in environment_reads(tree)]
    assert not found, "environment read outside app.Settings (pass the value in):\n" + "\n".join(found)
