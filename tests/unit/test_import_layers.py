"""The server's import graph: feature packages stacked in layers, no cycle, no hidden import.

The README draws the layout. A module may import from its own package and from the packages
below it, never from one above; no two modules import each other, even through others; and
no `server` module is imported inside a function, where a cycle would hide.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Bottom to top. A package may import from its own row and the rows above it in this list.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("domain",),
    ("config", "extensions"),
    ("models",),
    ("core",),
    ("catalogue",),
    ("accounts",),
    ("workdays",),
    ("notifications",),
    ("transparency",),
    ("media",),
    ("custody",),
    ("items",),
    ("handovers",),
    ("cash",),
    ("reporting",),
    ("audit",),
    ("privacy",),
    ("web",),
    ("cli",),
    ("__init__",),  # the app factory: wires every feature's blueprints
)
LAYER_OF = {package: height for height, row in enumerate(LAYERS) for package in row}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(module: str) -> str:
    """`server.custody.sync` → `custody`; `server` itself → `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path) -> Iterator[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import of a first-party module."""
    module, tree = _module_name(path), ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    top_level |= {id(inner) for node in tree.body if isinstance(node, ast.If)  # `if TYPE_CHECKING:`
                  for inner in node.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, path.name == "__init__.py")
            # `from server.items import api` imports the submodule `server.items.api`.
            names = [f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base
                     for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in ("server", "demo"):
                yield name, node.lineno, id(node) in top_level


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _server_modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted((ROOT / "server").rglob("*.py"))}


def _demo_modules() -> dict[str, Path]:
    """The demo province (outside the server: it may import the server, never the reverse)."""
    return {_module_name(path): path for path in sorted((ROOT / "demo").rglob("*.py"))}


def _graph(modules: dict[str, Path] | None = None) -> dict[str, set[str]]:
    modules = _server_modules() if modules is None else modules
    return {module: {name for name, _line, top in _imports(path) if top and name in modules}
            for module, path in modules.items()}


def test_no_server_module_is_imported_inside_a_function():
    hidden = [f"{path.relative_to(ROOT)}:{line} imports {name}"
              for path in _server_modules().values()
              for name, line, top in _imports(path) if not top]
    assert hidden == []


def test_every_package_has_its_layer():
    packages = {_package_of(module) for module in _server_modules()}
    assert packages - set(LAYER_OF) == set(), "add the new package to LAYERS (and the README)"


def test_no_package_imports_from_a_package_above_it():
    upward = []
    for module, imported in _graph().items():
        mine = _package_of(module)
        for name in imported:
            theirs = _package_of(name)
            if theirs != mine and LAYER_OF[theirs] >= LAYER_OF[mine] and theirs != "__init__":
                upward.append(f"{module} → {name}")
            if theirs == "__init__" and mine != "__init__":
                upward.append(f"{module} → server (the app factory)")
    assert sorted(upward) == []


def test_no_module_is_imported_inside_a_function_of_the_demo():
    hidden = [f"{path.relative_to(ROOT)}:{line} imports {name}"
              for path in _demo_modules().values()
              for name, line, top in _imports(path) if not top]
    assert hidden == []


def test_the_server_never_imports_the_demo():
    reaching = [f"{module} → {name}" for module, path in _server_modules().items()
                for name, _line, _top in _imports(path) if name.split(".")[0] == "demo"]
    assert reaching == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a self-import."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for neighbour in sorted(graph.get(node, ())):
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in on_stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_no_import_cycle_in_the_demo():
    assert _cycles(_graph(_demo_modules())) == []


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": set()}, []),
    ({"a": {"a"}}, [["a"]]),
])
def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle(graph, expected):
    assert _cycles(graph) == expected
