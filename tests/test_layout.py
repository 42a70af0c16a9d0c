"""The package's shape: no import cycle (function-level imports counted), arrows that
run one way (cli -> features -> store/sources -> core), and no SQL in the CLI layer."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "src" / "papertriage"
CORE = {
    "__init__", "errors", "ids", "text", "columns", "models", "config", "output", "atomicfile",
    "userdirs", "records",
}  # fmt: skip
# Each package may import the layers below it (and, for features, the features listed).
LAYERS: dict[str, set[str]] = {
    "sources": set(),
    "store": {"sources"},
    "find": {"store", "sources"},
    "rank": {"find", "store", "sources"},
    "importer": {"store", "sources"},
    "fetch": {"store", "sources"},
    "dedupe": {"find", "store", "sources"},
    "triage": {"rank", "find", "store", "sources"},
    "export": {"rank", "find", "store", "sources"},
    "watch": {"find", "store", "sources"},
    "notify": {"fetch", "store", "sources"},
    "digest": {"watch", "export", "rank", "find", "store", "sources"},
}


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "__init__"
        out[name] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of the package `name` imports, at any depth of its code."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and node.module.startswith("papertriage"):
                mod = node.module.removeprefix("papertriage").lstrip(".")
            else:
                continue
            for alias in node.names:
                full = f"{mod}.{alias.name}".lstrip(".")
                found.add(full if full in known else (mod or "__init__"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("papertriage."):
                    found.add(alias.name.removeprefix("papertriage."))
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods)) for name, path in mods.items()}


def top(name: str) -> str:
    return name.split(".")[0]


def test_the_import_graph_has_no_cycle():
    g = graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(g[node]):
            assert state.get(nxt) != 1, " -> ".join([*path, node, nxt])
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node, [])
    assert "find.selection" in g and g["cli.app"]  # the graph is the real one


def test_arrows_run_one_way():
    wrong = []
    for name, deps in graph().items():
        here = top(name)
        for dep in deps:
            there = top(dep)
            if there == here or there in CORE:
                continue
            if here == "__main__" and there == "cli":
                continue
            if here in CORE or there == "cli" or there not in LAYERS.get(here, set(LAYERS)):
                wrong.append(f"{name} -> {dep}")
    assert not wrong, wrong


def test_no_sql_in_the_cli_layer():
    sql = re.compile(
        r"\b(SELECT|INSERT|UPDATE|DELETE|BEGIN|COMMIT|PRAGMA)\b|sqlite3\.connect|\.execute\("
    )
    found = [
        f"{path.name}:{n}"
        for path in (PACKAGE / "cli").glob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if sql.search(line) and not line.lstrip().startswith("#")
    ]
    assert not found, found


def test_every_error_class_is_in_errors_py():
    elsewhere = [
        f"{path.relative_to(PACKAGE)}:{node.name}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "errors.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        and any(getattr(b, "id", "").endswith(("Error", "Exception")) for b in node.bases)
    ]
    assert not elsewhere, elsewhere
