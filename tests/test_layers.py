"""The package's folders are its layers (docs/layout.md): a module imports from its own
layer and the layers below it, never from one above or from a sibling of the same rank.
Every import counts, lazy ones inside functions included; only `if TYPE_CHECKING:` blocks
(annotations, never executed) are exempt."""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "llmextract"

# lowest first; units of one rank may not import each other (siblings)
LAYERS: list[tuple[str, ...]] = [
    ("text", "errors"),
    ("schemas",),
    ("config",),
    ("rules",),
    ("check", "call"),
    ("read",),
    ("pipeline",),
    ("extractor",),
    ("run",),
    ("jobs",),
    ("report", "evaluation"),
    ("cli", "__init__"),
    ("__main__", "pytest_plugin"),
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def _unit(module: str) -> str:
    """`llmextract.check.grounding` -> `check`; `llmextract` -> `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name / "__init__.py").is_file()


def _module_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool) -> list[str]:
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base == "llmextract":  # `from llmextract import x`: x may be a module
                found.extend(f"llmextract.{a.name}" if _is_module(a.name) or a.name == "__version__"
                             else "llmextract"
                             for a in node.names)
            else:
                found.append(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return [m for m in found if m == "llmextract" or m.startswith("llmextract.")]


@lru_cache(maxsize=1)
def _graph() -> dict[str, list[str]]:
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_of(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = _imports(tree, module, path.name == "__init__.py")
    return graph


def test_no_layer_imports_one_above_it() -> None:
    wrong = []
    for module, imported in _graph().items():
        unit = _unit(module)
        if unit == "fakeserver":
            wrong.extend(f"{module} -> {m}" for m in imported if _unit(m) != "fakeserver")
            continue
        for target in imported:
            other = _unit(target)
            if other == unit or other == "__version__":
                continue
            if other == "fakeserver" or other not in RANK:
                wrong.append(f"{module} -> {target} (not in a layer)")
            elif RANK[other] >= RANK[unit]:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the layers (docs/layout.md):\n" + "\n".join(wrong)


def test_every_folder_has_a_layer() -> None:
    units = {_unit(m) for m in _graph()} - {"fakeserver"}
    assert units <= set(RANK), units - set(RANK)


def test_no_import_cycles() -> None:
    """Importing `a.b.c` runs `a/__init__` and `a/b/__init__` first: those count too (a
    lazy import of `rules.meta` from `schemas` once made such a cycle through
    `rules/__init__`)."""
    known = set(_graph())
    graph: dict[str, list[str]] = {}
    for module, imported in _graph().items():
        # a package this module is inside of is running already: no edge to it
        targets = [*imported, *(p for t in imported for p in _parents(t)
                                if not module.startswith(p + "."))]
        graph[module] = sorted({t for t in targets if t in known and t != module})
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, stack: list[str]) -> bool:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle.extend([*stack[stack.index(nxt):], nxt] if nxt in stack else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, [*stack, nxt]):
                return True
        state[node] = 2
        return False

    for start in graph:
        if state.get(start) is None and visit(start, [start]):
            break
    assert not cycle, " -> ".join(cycle)


def _parents(module: str) -> list[str]:
    """`llmextract.rules.meta` -> [`llmextract.rules`] (the package itself not counted)."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(2, len(parts))]
