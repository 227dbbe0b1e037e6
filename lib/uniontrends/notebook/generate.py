"""The area notebooks, generated from one template and their registry entries.

``notebooks/templates/area.py`` is a jupytext percent script with ``$name``-style fields; each
area entry of ``notebooks/registry.yaml`` fills them in. ``make notebooks`` writes the .py and
.ipynb pair of every area notebook; a test fails when a committed one differs.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from uniontrends.errors import UniontrendsError
from uniontrends.notebook.registry import NotebookSpec, Registry

TEMPLATE = Path("templates") / "area.py"


def area_script(spec: NotebookSpec, template: str) -> str:
    """The jupytext percent script of one area notebook.

    Args:
        spec: the notebook's registry entry (kind "area").
        template: the text of ``templates/area.py``.

    Raises:
        UniontrendsError: the entry lacks a field the template uses.
    """
    fields = {
        "name": spec.name,
        "number": spec.name.split("_", 1)[0],
        "title_en": spec.title_en,
        "title_zh": spec.title_zh,
        "area": spec.area or "",
        "key_indicator": spec.key_indicator or "",
        "question_en": spec.question_en,
        "question_zh": spec.question_zh,
        "methods_en": spec.methods_en,
    }
    missing = sorted(k for k, v in fields.items() if not v)
    if missing:
        raise UniontrendsError(f"registry entry {spec.name}: give {', '.join(missing)}")
    try:
        return Template(template).substitute(fields)
    except (KeyError, ValueError) as error:
        raise UniontrendsError(f"templates/area.py: unknown field {error}") from error


def area_notebooks(registry: Registry) -> dict[Path, str]:
    """{file: text} of every area notebook's .py and .ipynb, as they should be committed."""
    import jupytext

    template = (registry.folder / TEMPLATE).read_text(encoding="utf-8")
    out: dict[Path, str] = {}
    for spec in registry.of_kind("area"):
        script = area_script(spec, template)
        notebook = jupytext.reads(script, fmt="py:percent")
        for index, cell in enumerate(notebook.cells):
            cell.id = f"cell-{index:02d}"  # stable ids: a regenerated notebook is byte-identical
        out[registry.folder / f"{spec.name}.py"] = script
        out[registry.folder / f"{spec.name}.ipynb"] = jupytext.writes(notebook, fmt="ipynb")
    return out


def write_area_notebooks(registry: Registry) -> list[Path]:
    """Write every area notebook's .py and .ipynb (only files whose text changed).

    Returns:
        The files written.
    """
    written = []
    for path, text in area_notebooks(registry).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
