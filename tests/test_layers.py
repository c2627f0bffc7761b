"""The import graph points one way: reportqa (core) ← ingest, qa ← eval ← ui, with no cycles.

Every import counts, including the lazy ones inside functions and under TYPE_CHECKING:
a lazy import is still a dependency, only a later one. `pytest -s tests/test_layers.py`
prints the package → package arrows found.
"""

from __future__ import annotations

import ast
import graphlib
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("reportqa", "ingest", "qa", "eval", "ui")

# What each package may import besides itself. ingest writes the store and qa reads it: neither
# knows the other. eval measures ingest and qa; ui is the top (its Evaluation tab runs eval).
ALLOWED = {
    "reportqa": set(),
    "ingest": {"reportqa"},
    "qa": {"reportqa"},
    "eval": {"reportqa", "ingest", "qa"},
    "ui": {"reportqa", "ingest", "qa", "eval"},
}

def module_name(path: Path) -> str:
    """`qa/choose.py` -> `qa.choose`; `qa/__init__.py` -> `qa`."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the five packages, by dotted name."""
    return {module_name(p): p for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))}


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules `path` imports anywhere in its body (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from qa import service` imports the module qa.service; `from qa.x import f` imports qa.x.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            # `import qa.service.x` where only qa.service is ours: the longest known prefix.
            parts = target.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts and ".".join(parts) != name:
                found.add(".".join(parts))
    return found


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    mods = modules()
    known = set(mods)
    return {name: imports_of(path, name, known) for name, path in mods.items()}


def layer_arrows() -> dict[tuple[str, str], int]:
    """(importing package, imported package) -> number of module-level import edges, across packages."""
    arrows: dict[tuple[str, str], int] = defaultdict(int)
    for src, targets in import_graph().items():
        for dst in targets:
            a, b = src.split(".")[0], dst.split(".")[0]
            if a != b:
                arrows[(a, b)] += 1
    return dict(sorted(arrows.items()))


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (each holds a cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm; the graph has ~60 nodes, recursion is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_lazy_and_relative_imports(tmp_path):
    # The walker itself: a function-level import and a relative import are both edges.
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    src = pkg / "a.py"
    src.write_text("def f():\n    from pkg import b\n    from .c import g\n", encoding="utf-8")
    assert imports_of(src, "pkg.a", {"pkg", "pkg.a", "pkg.b", "pkg.c"}) == {"pkg.b", "pkg.c"}


def test_cycle_finder_finds_a_cycle_and_nothing_else():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_upward_import():
    arrows = layer_arrows()
    print("\npackage -> package arrows (module imports):")
    for (a, b), n in arrows.items():
        print(f"  {a} -> {b}: {n}")
    assert arrows, "no arrows at all: the walker found no imports"
    upward = {f"{a} -> {b}" for (a, b) in arrows if b not in ALLOWED[a]}
    assert not upward, f"imports against the layers: {sorted(upward)}"


def test_no_import_cycle():
    found = cycles(import_graph())
    assert not found, f"import cycles: {[sorted(c) for c in found]}"


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_is_walked(package):
    assert any(m == package or m.startswith(package + ".") for m in import_graph())


def test_graphlib_agrees_the_modules_have_an_order():
    # Cross-check with the standard library: graphlib raises CycleError on any cycle.
    order = list(graphlib.TopologicalSorter(import_graph()).static_order())
    assert order.index("reportqa.settings") < order.index("qa.service")
