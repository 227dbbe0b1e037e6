"""The layer rule, no import cycles, defaults only at the entry points, a curated public API.

`make lint` runs the import-linter contracts of pyproject.toml (layers, no cycles, config only
at the entry points); these tests run the same contracts and add what a contract cannot say.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import uniontrends

PACKAGE = Path(uniontrends.__file__).parent
LAYERS = ("data", "stats", "findings", "present", "notebook", "run", "cycle")
# The entry points: the only places that name the project's default folders.
ENTRY_POINTS = {
    "cli.py": None,  # every command
    "notebook/session.py": {"start", "default_output_dir", "_notebooks_folder"},
    "notebook/explorer.py": {"explore"},
    "run/runner.py": {"run"},
}
DEFAULT_FOLDERS = {"DATA_DIR", "OUTPUTS_DIR", "NOTEBOOKS_DIR", "PROJ_ROOT"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_import_linter_contracts_hold():
    import subprocess
    import sys

    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=PACKAGE.parents[1], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _functions_using(tree: ast.AST, names: set[str]) -> list[tuple[str, int, str]]:
    """(enclosing function or "<module>", line, name) of every config.<name> use."""
    found = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef) else where
            if (
                isinstance(child, ast.Attribute)
                and isinstance(child.value, ast.Name)
                and child.value.id == "config"
                and child.attr in names
            ):
                found.append((where, child.lineno, child.attr))
            if isinstance(child, ast.ImportFrom) and child.module == "uniontrends.config":
                found.extend((where, child.lineno, a.name) for a in child.names if a.name in names)
            visit(child, inner)

    visit(tree, "<module>")
    return found


def test_default_folders_are_named_only_at_the_entry_points():
    offenders = []
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "config.py":
            continue
        for where, line, name in _functions_using(ast.parse(path.read_text()), DEFAULT_FOLDERS):
            allowed = ENTRY_POINTS.get(rel, set())
            if rel not in ENTRY_POINTS or (allowed is not None and where not in allowed):
                offenders.append(f"{rel}:{line} {where}() uses config.{name}")
    assert not offenders, "the default folders belong to the entry points:\n" + "\n".join(offenders)


def test_no_module_reads_the_environment_for_folders():
    for path in _modules():
        text = path.read_text()
        assert "UNIONTRENDS_DATA_DIR" not in text and "UNIONTRENDS_OUTPUTS_DIR" not in text, path


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_says_what_it_holds_and_may_import(layer):
    doc = importlib.import_module(f"uniontrends.{layer}").__doc__ or ""
    assert doc.startswith("Layer ") and "May import:" in doc


def test_every_module_opens_with_what_it_is_for():
    missing = [p for p in _modules() if not ast.get_docstring(ast.parse(p.read_text()))]
    assert not missing, missing


def test_the_public_api_resolves_and_is_all_it_exports():
    for name in uniontrends.__all__:
        assert getattr(uniontrends, name) is not None, name
    with pytest.raises(AttributeError):
        uniontrends.runner  # noqa: B018 - internal modules are not part of the API


def test_importing_the_package_stays_light():
    import subprocess
    import sys

    code = "import sys, uniontrends; print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]  # the CLI starts without them
