"""The notebook registry (notebooks/registry.yaml): which notebooks exist and what each needs.

The runner orders a region-year's notebooks from it (each after the notebooks it needs), the
annual report gathers the findings of the notebooks it needs, the area notebooks are generated
from its entries, and the tests read it. A notebook's number is only its place in a listing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from uniontrends.data.yamlfile import read_yaml
from uniontrends.errors import DataError, Problem

REGISTRY_FILE = "registry.yaml"
KINDS = ("audit", "area", "reference", "analysis", "report", "explorer")
_FIELDS = {
    "name",
    "kind",
    "title_en",
    "title_zh",
    "area",
    "key_indicator",
    "question_en",
    "question_zh",
    "methods_en",
    "needs",
}


@dataclass(frozen=True)
class NotebookSpec:
    """One notebook of the suite.

    Attributes:
        name: file stem, e.g. "02_dispute_resolution" (its outputs folder has this name).
        kind: audit, area (one area of the catalog), reference, analysis (any other), report,
            or explorer (interactive only: never run in batch).
        title_en, title_zh: the notebook's title.
        area: the catalog area of an area notebook.
        key_indicator: the indicator an area notebook draws on its own and across regions.
        question_en, question_zh, methods_en: the narrative of a generated area notebook.
        needs: notebooks whose findings this one reads (they run before it).
    """

    name: str
    kind: str
    title_en: str
    title_zh: str
    area: str | None = None
    key_indicator: str | None = None
    question_en: str = ""
    question_zh: str = ""
    methods_en: str = ""
    needs: tuple[str, ...] = field(default_factory=tuple)

    def title(self, lang: str = "en") -> str:
        """The title in ``lang``."""
        return self.title_zh if lang == "zh" else self.title_en


@dataclass(frozen=True)
class Registry:
    """The suite's notebooks in reading order, read from ``<folder>/registry.yaml``."""

    folder: Path
    specs: tuple[NotebookSpec, ...]

    def __getitem__(self, name: str) -> NotebookSpec:
        for spec in self.specs:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(spec.name == name for spec in self.specs)

    @property
    def names(self) -> tuple[str, ...]:
        """Every notebook's name, in reading order."""
        return tuple(spec.name for spec in self.specs)

    def of_kind(self, kind: str) -> list[NotebookSpec]:
        """The notebooks of one kind, in reading order."""
        return [spec for spec in self.specs if spec.kind == kind]

    def path(self, name: str) -> Path:
        """The .ipynb file of a notebook."""
        return self.folder / f"{name}.ipynb"

    def present(self) -> Registry:
        """The registry without the notebooks whose .ipynb is not in the folder.

        A folder may hold part of the suite (a test runs the disputes notebook and the report):
        a report then gathers what is there.
        """
        kept = tuple(spec for spec in self.specs if self.path(spec.name).is_file())
        names = {spec.name for spec in kept}
        return Registry(
            self.folder,
            tuple(replace(spec, needs=tuple(n for n in spec.needs if n in names)) for spec in kept),
        )

    def run_order(self) -> tuple[str, ...]:
        """The batch notebooks (explorers left out), each after the notebooks it needs.

        Reading order is kept wherever the needs allow it (a stable topological sort).
        """
        done: list[str] = []
        pending = [spec for spec in self.specs if spec.kind != "explorer"]
        while pending:
            ready = next(s for s in pending if all(n in done for n in s.needs))
            done.append(ready.name)
            pending.remove(ready)
        return tuple(done)

    def readers(self) -> set[str]:
        """Notebooks that read other notebooks' findings (they run after them)."""
        return {spec.name for spec in self.specs if spec.needs}


def _problem(path: Path, message: str, row: int | None = None, column: str | None = None):
    return Problem(path.name, "registry", message, row, column)


def _spec(entry: Any, index: int, path: Path) -> tuple[NotebookSpec | None, list[Problem]]:
    where = f"notebook #{index + 1}"
    if not isinstance(entry, dict):
        return None, [_problem(path, f"{where} is not a mapping")]
    problems = [
        _problem(path, f"{where}: field {key!r} is missing", column=key)
        for key in ("name", "kind", "title_en", "title_zh")
        if not isinstance(entry.get(key), str) or not entry[key].strip()
    ]
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        problems.append(_problem(path, f"{where}: unknown field(s) {unknown}"))
    if entry.get("kind") not in KINDS:
        problems.append(
            _problem(path, f"{where}: kind {entry.get('kind')!r} is not one of {', '.join(KINDS)}")
        )
    needs = entry.get("needs", [])
    if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
        problems.append(_problem(path, f"{where}: needs must be a list of notebook names"))
    if entry.get("kind") == "area" and not entry.get("area"):
        problems.append(_problem(path, f"{where}: an area notebook names its catalog area"))
    if problems:
        return None, problems
    values = {k: (str(v).strip() if isinstance(v, str) else v) for k, v in entry.items()}
    values["needs"] = tuple(needs)
    return NotebookSpec(**values), []


def load_registry(folder: Path | str) -> Registry:
    """Read ``<folder>/registry.yaml``.

    Args:
        folder: the notebooks folder.

    Returns:
        The registry, notebooks in file order.

    Raises:
        DataError: the file is missing or malformed, a name repeats, a notebook needs one
            that is not listed, or the needs form a cycle.
    """
    folder = Path(folder)
    path = folder / REGISTRY_FILE
    if not path.is_file():
        raise DataError([_problem(path, f"{path} does not exist: the suite has no registry")])
    raw = read_yaml(path)
    entries = raw.get("notebooks") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise DataError([_problem(path, "expected a mapping with a 'notebooks' list")])
    specs: list[NotebookSpec] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        spec, found = _spec(entry, index, path)
        problems += found
        if spec is not None:
            if spec.name in {s.name for s in specs}:
                problems.append(_problem(path, f"notebook {spec.name!r} is listed twice"))
            specs.append(spec)
    names = {s.name for s in specs}
    for spec in specs:
        for need in spec.needs:
            if need not in names:
                problems.append(_problem(path, f"{spec.name} needs {need!r}, which is not listed"))
    if problems:
        raise DataError(problems)
    registry = Registry(folder, tuple(specs))
    _check_acyclic(registry, path)
    return registry


def _check_acyclic(registry: Registry, path: Path) -> None:
    needs = {spec.name: set(spec.needs) for spec in registry.specs}
    done: set[str] = set()
    while len(done) < len(needs):
        ready = [name for name, deps in needs.items() if name not in done and deps <= done]
        if not ready:
            stuck = sorted(set(needs) - done)
            raise DataError([_problem(path, f"the needs of {', '.join(stuck)} form a cycle")])
        done.update(ready)
