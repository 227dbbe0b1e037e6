"""The indicator catalog (indicators.yaml): what each indicator measures, checked once.

A package's ``indicators.yaml`` has three optional sections (at least one of ``include`` and
``indicators``):

- ``include``: built-in indicators to use, by id, or ``all`` (the built-in catalog is
  ``builtin_indicators.yaml`` next to this module). Their areas come with them.
- ``areas``: the package's own areas, ``{area_id: {name_en: ..., name_zh: ...}}``; an entry
  with a built-in area's id renames that area.
- ``indicators``: the package's own indicators, a list of full definitions (fields below). An
  own indicator may sit in a built-in area or in one of the package's own areas; its id may
  not be a built-in id (include that indicator instead).

Rules: ids and areas are lower-case snake_case slugs; every field has its type (text is text,
``in_article`` is a YAML boolean, ``scale`` a positive number); unit, kind and aggregation
come from ``model``; a rate has unit ``share`` or a numerator and denominator in the catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from uniontrends.data.model import (
    AGGREGATIONS,
    CATALOG_FILE,
    INDICATOR_PATTERN,
    KINDS,
    UNITS,
)
from uniontrends.data.yamlfile import read_yaml
from uniontrends.errors import DataError, Problem
from uniontrends.numbers import unit_name

BUILTIN_FILE = Path(__file__).with_name("builtin_indicators.yaml")
_SECTIONS = ("include", "areas", "indicators")
_REQUIRED = ("id", "area", "name_en", "name_zh", "unit", "kind", "aggregation")
_OPTIONAL_TEXT = ("numerator", "denominator")
_OPTIONAL = (*_OPTIONAL_TEXT, "scale", "in_article")
_SLUG = re.compile(INDICATOR_PATTERN)
_SHAPE_HINT = (
    "expected a mapping with 'include' (built-in indicator ids, or all), 'areas' (a mapping "
    "of area id to names) and 'indicators' (a list of your own indicators)"
)

__all__ = ["BUILTIN_FILE", "Catalog", "Indicator", "builtin_catalog", "load_catalog",
           "parse_catalog", "read_yaml"]  # fmt: skip


@dataclass(frozen=True)
class Indicator:
    """One catalog entry. unit is a key of model.UNITS; scale multiplies numerator/denominator."""

    id: str
    area: str
    name_en: str
    name_zh: str
    unit: str
    kind: str
    aggregation: str
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    in_article: bool = False

    def name(self, lang: str = "en") -> str:
        """The indicator's name in `lang` ("en" or "zh")."""
        return self.name_zh if lang == "zh" else self.name_en

    def unit_label(self, lang: str = "en") -> str:
        """The unit's label in `lang`, e.g. "person-times" / "人次"."""
        return unit_name(self.unit, lang)

    @property
    def is_derived(self) -> bool:
        """True for a ratio rate computed from its numerator and denominator."""
        return self.numerator is not None and self.denominator is not None


@dataclass(frozen=True)
class Catalog:
    """All indicators by id (in file order) and the areas {area: {name_en, name_zh}}."""

    indicators: dict[str, Indicator]
    areas: dict[str, dict[str, str]]
    path: Path

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self.indicators

    def __getitem__(self, indicator_id: str) -> Indicator:
        return self.indicators[indicator_id]

    def in_area(self, area: str) -> list[Indicator]:
        """Indicators of one area, in catalog order."""
        return [ind for ind in self.indicators.values() if ind.area == area]

    def derived(self) -> list[Indicator]:
        """Rates computed as numerator / denominator x scale (not stored in annual tables)."""
        return [ind for ind in self.indicators.values() if ind.is_derived]

    def area_name(self, area: str, lang: str = "en") -> str:
        """An area's display name in `lang`."""
        names = self.areas.get(area, {})
        return names.get("name_zh" if lang == "zh" else "name_en", area)


def _shown(value: Any, limit: int = 60) -> str:
    """A value for a message: its repr, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_entry(
    entry: Any, index: int, name: str, areas: dict[str, Any]
) -> tuple[Indicator | None, list[Problem]]:
    where = f"indicator #{index + 1}"
    if not isinstance(entry, dict):
        return None, [Problem(name, "entry_type", f"{where} is not a mapping of fields")]
    ident = entry.get("id")
    if isinstance(ident, str):
        where = f"indicator {_shown(ident)}"
    problems = []
    for key in _REQUIRED:
        value = entry.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(
                Problem(name, "field_missing", f"{where}: field {key!r} is missing", column=key)
            )
        elif not isinstance(value, str):
            problems.append(
                Problem(name, "field_type", f"{where}: {key} {_shown(value)} must be text",
                        column=key)
            )  # fmt: skip
    for key in _OPTIONAL_TEXT:
        if entry.get(key) is not None and not isinstance(entry[key], str):
            problems.append(
                Problem(name, "field_type", f"{where}: {key} {_shown(entry[key])} must be an "
                        "indicator id", column=key)
            )  # fmt: skip
    if "in_article" in entry and not isinstance(entry["in_article"], bool):
        problems.append(
            Problem(name, "field_type", f"{where}: in_article {_shown(entry['in_article'])} must "
                    "be true or false (a YAML boolean, without quotes)", column="in_article")
        )  # fmt: skip
    unknown = sorted(str(k) for k in set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        problems.append(
            Problem(name, "field_unknown", f"{where}: unknown field(s) {_shown(unknown, 120)}; "
                    f"fields: {', '.join(_REQUIRED + _OPTIONAL)}")
        )  # fmt: skip
    if problems:
        return None, problems
    for key in ("id", "numerator", "denominator"):
        value = entry.get(key)
        if value is not None and not _SLUG.match(value):
            problems.append(
                Problem(name, "id_slug", f"{where}: {key} {_shown(value)} is not an id "
                        "(lower-case letters, digits and '_', starting with a letter)",
                        column=key)
            )  # fmt: skip
    allowed_values = {"unit": UNITS, "kind": KINDS, "aggregation": AGGREGATIONS, "area": areas}
    for key, allowed in allowed_values.items():
        if entry[key] not in allowed:
            problems.append(
                Problem(
                    name,
                    f"{key}_unknown",
                    f"{where}: {key} {_shown(entry[key])} is not one of "
                    f"{', '.join(allowed) or '(no areas defined)'}",
                    column=key,
                )
            )
    has_ratio = entry.get("numerator") is not None or entry.get("denominator") is not None
    if has_ratio and (entry.get("numerator") is None or entry.get("denominator") is None):
        problems.append(
            Problem(name, "rate_ratio", f"{where}: give both numerator and denominator")
        )
    if entry["kind"] == "rate" and entry["unit"] != "share" and not has_ratio:
        problems.append(
            Problem(
                name,
                "rate_definition",
                f"{where}: a rate needs unit 'share' or a numerator and denominator",
                column="unit",
            )
        )
    scale = entry.get("scale", 1)
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale < 1e12:
        problems.append(
            Problem(
                name,
                "scale_positive",
                f"{where}: scale {_shown(scale)} must be a positive number",
                column="scale",
            )
        )
    if problems:
        return None, problems
    indicator = Indicator(
        id=entry["id"],
        area=entry["area"],
        name_en=entry["name_en"],
        name_zh=entry["name_zh"],
        unit=entry["unit"],
        kind=entry["kind"],
        aggregation=entry["aggregation"],
        numerator=entry.get("numerator"),
        denominator=entry.get("denominator"),
        scale=float(scale),
        in_article=entry.get("in_article", False),
    )
    return indicator, []


def _parse_areas(raw: Any, name: str) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """The ``areas`` section: {area id: {name_en, name_zh}} (a missing name takes the other)."""
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [
            Problem(name, "catalog_shape", "'areas' must be a mapping of area id to names, e.g. "
                    "areas: {disputes: {name_en: Dispute resolution, name_zh: 维权调处}}",
                    column="areas")
        ]  # fmt: skip
    areas: dict[str, dict[str, str]] = {}
    problems: list[Problem] = []
    for key, names in raw.items():
        if not isinstance(key, str) or not _SLUG.match(key):
            problems.append(
                Problem(name, "area_slug", f"area {_shown(key)} is not an id (lower-case "
                        "letters, digits and '_', starting with a letter)", column="areas")
            )  # fmt: skip
            continue
        if not isinstance(names, dict) or not names:
            problems.append(
                Problem(name, "catalog_shape", f"area {key!r} must be a mapping with name_en "
                        "and name_zh", column="areas")
            )  # fmt: skip
            continue
        bad = [k for k in names if k not in ("name_en", "name_zh")]
        wrong = [k for k in ("name_en", "name_zh") if k in names and not isinstance(names[k], str)]
        if bad or wrong:
            problems.append(
                Problem(name, "catalog_shape", f"area {key!r}: only name_en and name_zh, as "
                        f"text ({_shown(bad + wrong, 120)})", column="areas")
            )  # fmt: skip
            continue
        en, zh = names.get("name_en", ""), names.get("name_zh", "")
        areas[key] = {"name_en": en or zh or key, "name_zh": zh or en or key}
    return areas, problems


def _included(raw: Any, name: str, builtin: Catalog) -> tuple[list[Indicator], list[Problem]]:
    """The built-in indicators an ``include`` section selects."""
    if raw is None:
        return [], []
    if raw == "all":
        return list(builtin.indicators.values()), []
    if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw):
        return [], [
            Problem(name, "catalog_shape", "'include' must be a list of built-in indicator ids, "
                    "e.g. include: [union_members, employees], or include: all",
                    column="include")
        ]  # fmt: skip
    picked: list[Indicator] = []
    problems: list[Problem] = []
    for ident in raw:
        if ident not in builtin.indicators:
            problems.append(
                Problem(name, "include_unknown", f"{_shown(ident)} is not a built-in indicator; "
                        f"built-in ids: {', '.join(builtin.indicators)}", column="include")
            )  # fmt: skip
        elif any(ind.id == ident for ind in picked):
            problems.append(
                Problem(name, "duplicate_id", f"{ident!r} is included twice", column="include")
            )
        else:
            picked.append(builtin.indicators[ident])
    return picked, problems


def parse_catalog(
    raw: Any,
    name: str = CATALOG_FILE,
    path: Path | None = None,
    builtin: Catalog | None = None,
) -> Catalog:
    """Check a parsed indicators.yaml document and build the Catalog.

    Args:
        raw: the YAML document (see the module docstring for its sections).
        name: the file name used in problem messages.
        path: where the document came from (kept on the Catalog).
        builtin: the built-in catalog ``include`` selects from and whose areas own indicators
            may use (default: ``builtin_catalog()``).

    Returns:
        Catalog: included built-in indicators first (in built-in order), then own ones.

    Raises:
        DataError: every problem found (wrong section shapes, unknown unit/kind/aggregation,
            duplicate id, a rate without unit share or numerator/denominator, a numerator not
            in the catalog, ...).
    """
    if not isinstance(raw, dict):
        raise DataError([Problem(name, "catalog_shape", _SHAPE_HINT)])
    problems = [
        Problem(name, "catalog_shape", f"unknown section {_shown(key)}; {_SHAPE_HINT}")
        for key in raw
        if key not in _SECTIONS
    ]
    own_entries = raw.get("indicators")
    if own_entries is not None and not isinstance(own_entries, list):
        problems.append(
            Problem(name, "catalog_shape", "'indicators' must be a list of indicator mappings",
                    column="indicators")
        )  # fmt: skip
        own_entries = None
    if raw.get("include") is None and own_entries is None and not problems:
        problems.append(Problem(name, "catalog_shape", _SHAPE_HINT))
    if builtin is None:
        builtin = builtin_catalog()
    included, found = _included(raw.get("include"), name, builtin)
    problems += found
    own_areas, found = _parse_areas(raw.get("areas"), name)
    problems += found
    known_areas = builtin.areas | own_areas
    indicators: dict[str, Indicator] = {ind.id: ind for ind in included}
    for index, entry in enumerate(own_entries or []):
        indicator, found = _check_entry(entry, index, name, known_areas)
        problems += found
        if indicator is None:
            continue
        if indicator.id in indicators:
            origin = (
                "included from the built-in catalog and defined here"
                if any(i.id == indicator.id for i in included)
                else "defined twice"
            )
            problems.append(
                Problem(name, "duplicate_id", f"indicator {indicator.id!r} is {origin}",
                        column="id")
            )  # fmt: skip
            continue
        if "include" in raw and indicator.id in builtin.indicators:
            problems.append(
                Problem(name, "builtin_id", f"indicator {indicator.id!r} is a built-in "
                        "indicator: add it to 'include' instead, or give yours another id",
                        column="id")
            )  # fmt: skip
            continue
        indicators[indicator.id] = indicator
    # Areas in use or declared: a catalog of its own keeps its order, one that includes
    # built-in indicators lists the built-in areas first.
    used = {ind.area for ind in indicators.values()} | set(own_areas)
    order = [*own_areas, *builtin.areas] if "include" not in raw else [*builtin.areas, *own_areas]
    areas = {a: known_areas[a] for a in dict.fromkeys(order) if a in used}
    for ind in indicators.values():
        for role in ("numerator", "denominator"):
            ref = getattr(ind, role)
            if ref is not None and ref not in indicators:
                hint = f"; add {ref!r} to include" if ref in builtin.indicators else ""
                problems.append(
                    Problem(
                        name,
                        f"{role}_unknown",
                        f"indicator {ind.id!r}: {role} {ref!r} is not in the catalog{hint}",
                        column=role,
                    )
                )
    if problems:
        raise DataError(problems)
    return Catalog(indicators=indicators, areas=areas, path=path or Path(name))


@lru_cache(maxsize=1)
def builtin_catalog() -> Catalog:
    """The library's built-in indicator catalog (``builtin_indicators.yaml``)."""
    nothing = Catalog(indicators={}, areas={}, path=BUILTIN_FILE)
    raw = read_yaml(BUILTIN_FILE)
    return parse_catalog(raw, name=BUILTIN_FILE.name, path=BUILTIN_FILE, builtin=nothing)


@lru_cache(maxsize=16)
def _load_catalog_cached(path: Path, mtime_ns: int) -> Catalog:
    return parse_catalog(read_yaml(path), name=path.name, path=path)


def load_catalog(root: Path) -> Catalog:
    """Load and check ``<root>/indicators.yaml``; cached per path and modification time.

    Args:
        root: the data package's folder.

    Returns:
        Catalog.

    Raises:
        DataError: the file is missing, not YAML, or breaks a catalog rule (names file and id).
    """
    path = (Path(root) / CATALOG_FILE).resolve()
    if not path.is_file():
        raise DataError([Problem(path.name, "file_missing", f"{path} does not exist")])
    return _load_catalog_cached(path, path.stat().st_mtime_ns)
