"""The shape of the house, read from the code with ``ast``: no import circle, dependencies point one way.

Every ``import`` in every module of ``src/kanat`` counts, inside functions
too (a deferred import is still a dependency). A package's ``__init__`` is
the package's node; ``from kanat.a import b`` depends on ``kanat.a.b`` when
that is a module, else on ``kanat.a``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: ARCHITECTURE.md: what each stage must never import.
NEVER = {
    "kanat.listen": ("kanat.body", "kanat.vocabulary", "kanat.compose", "kanat.perform", "kanat.critique",
                     "kanat.render", "kanat.formats", "kanat.studio", "kanat.learn", "kanat.brief"),
    "kanat.body": ("kanat.listen", "kanat.compose", "kanat.perform", "kanat.vocabulary", "kanat.critique",
                   "kanat.render", "kanat.formats", "kanat.studio", "kanat.brief"),
    "kanat.vocabulary": ("kanat.listen", "kanat.compose", "kanat.perform", "kanat.critique", "kanat.render",
                         "kanat.studio"),
    "kanat.compose": ("kanat.perform", "kanat.critique", "kanat.render", "kanat.formats", "kanat.studio"),
    "kanat.perform": ("kanat.critique", "kanat.render", "kanat.studio", "kanat.listen.audio", "kanat.listen.analyze"),
    "kanat.critique": ("kanat.perform", "kanat.render", "kanat.studio"),
    "kanat.render": ("kanat.perform", "kanat.compose.composer", "kanat.compose.search", "kanat.studio"),
    "kanat.formats": ("kanat.perform", "kanat.compose", "kanat.critique", "kanat.render", "kanat.studio"),
    "kanat.learn": ("kanat.compose", "kanat.perform", "kanat.render", "kanat.studio"),
    "kanat.brief": ("kanat.compose", "kanat.perform", "kanat.critique", "kanat.render", "kanat.studio"),
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / "kanat").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in MODULES:  # kanat.x.y.Name -> kanat.x.y
                t = t.rsplit(".", 1)[0] if "." in t else ""
            if t.startswith("kanat") and t != name:
                found.add(t)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycle() -> list[str] | None:
    """One import circle between modules (ignoring a package's own __init__ importing its modules), or None."""
    def edges(n):
        # a package's __init__ re-exporting its own modules is not a dependency of those modules on it
        return [m for m in GRAPH[n] if not (n != "kanat" and m.startswith(n + "."))]

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in edges(n):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(GRAPH):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_the_graph_is_read():
    assert len(MODULES) > 40
    assert "kanat.body.stage" in GRAPH["kanat.brief"]
    assert "kanat.compose.search" in GRAPH["kanat.compose.composer"]


def test_no_import_circle():
    assert _cycle() is None, " -> ".join(_cycle())


@pytest.mark.parametrize("stage", sorted(NEVER))
def test_dependencies_point_one_way(stage):
    bad = sorted((n, m) for n, deps in GRAPH.items() if n == stage or n.startswith(stage + ".")
                 for m in deps for never in NEVER[stage] if m == never or m.startswith(never + "."))
    assert not bad, f"{stage} must never import these: {bad}"


#: What importing a module may not load, by running it (a package's ``__init__`` runs too, which ``ast`` misses).
LOADS_NOT = [
    ("kanat.brief", ("librosa", "kanat.listen.analyze", "kanat.compose.composer")),
    ("kanat.listen.musicmap", ("librosa", "kanat.listen.analyze")),
    ("kanat.render.counts", ("kanat.compose.composer", "kanat.compose.search", "librosa")),
    ("kanat.compose.score", ("kanat.compose.composer", "librosa")),
]


@pytest.mark.parametrize("module,forbidden", LOADS_NOT, ids=[m for m, _ in LOADS_NOT])
def test_importing_a_data_type_does_not_load_the_algorithms(module, forbidden):
    import subprocess
    import sys

    code = f"import sys, {module}; print(' '.join(m for m in {forbidden!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing {module} loads {out}"
