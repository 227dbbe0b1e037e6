"""The indicator catalog (indicators.yaml): what each indicator measures, checked once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from uniontrends.data.model import AGGREGATIONS, CATALOG_FILE, KINDS, UNITS
from uniontrends.errors import DataError, Problem

_REQUIRED = ("id", "area", "name_en", "name_zh", "unit", "kind", "aggregation")
_OPTIONAL = ("numerator", "denominator", "scale", "in_article")


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
        return UNITS[self.unit]["zh" if lang == "zh" else "en"]

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


def read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise DataError([Problem(path.name, "file_missing", f"{path} does not exist")])
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise DataError(
            [Problem(path.name, "yaml_syntax", f"cannot parse YAML: {error}")]
        ) from error


def _check_entry(
    entry: Any, index: int, name: str, areas: dict[str, Any]
) -> tuple[Indicator | None, list[Problem]]:
    where = f"indicator #{index + 1}"
    if not isinstance(entry, dict):
        return None, [Problem(name, "entry_type", f"{where} is not a mapping")]
    ident = entry.get("id")
    if isinstance(ident, str):
        where = f"indicator {ident!r}"
    problems = [
        Problem(name, "field_missing", f"{where}: field {field!r} is missing", column=field)
        for field in _REQUIRED
        if not isinstance(entry.get(field), str) or not entry[field].strip()
    ]
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        problems.append(Problem(name, "field_unknown", f"{where}: unknown field(s) {unknown}"))
    if problems:
        return None, problems
    allowed_values = {"unit": UNITS, "kind": KINDS, "aggregation": AGGREGATIONS, "area": areas}
    for field, allowed in allowed_values.items():
        if allowed and entry[field] not in allowed:
            problems.append(
                Problem(
                    name,
                    f"{field}_unknown",
                    f"{where}: {field} {entry[field]!r} is not one of {', '.join(allowed)}",
                    column=field,
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
    if isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0:
        problems.append(
            Problem(
                name,
                "scale_positive",
                f"{where}: scale {scale!r} must be a positive number",
                column="scale",
            )
        )
    if problems:
        return None, problems
    indicator = Indicator(
        id=entry["id"].strip(),
        area=entry["area"],
        name_en=entry["name_en"],
        name_zh=entry["name_zh"],
        unit=entry["unit"],
        kind=entry["kind"],
        aggregation=entry["aggregation"],
        numerator=entry.get("numerator"),
        denominator=entry.get("denominator"),
        scale=float(scale),
        in_article=bool(entry.get("in_article", False)),
    )
    return indicator, []


def parse_catalog(raw: Any, name: str = CATALOG_FILE, path: Path | None = None) -> Catalog:
    """Check a parsed indicators.yaml document and build the Catalog.

    Args:
        raw: the YAML document (a mapping with `areas` and an `indicators` list).
        name: the file name used in problem messages.
        path: where the document came from (kept on the Catalog).

    Returns:
        Catalog.

    Raises:
        DataError: every problem found (unknown unit/kind/aggregation, duplicate id, a rate
            without unit share or numerator/denominator, a numerator not in the catalog, ...).
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), list):
        raise DataError(
            [
                Problem(
                    name,
                    "catalog_shape",
                    "expected a mapping with an 'indicators' list (and 'areas')",
                )
            ]
        )
    areas_raw = raw.get("areas") or {}
    areas = {str(k): {kk: str(vv) for kk, vv in (v or {}).items()} for k, v in areas_raw.items()}
    indicators: dict[str, Indicator] = {}
    problems: list[Problem] = []
    for index, entry in enumerate(raw["indicators"]):
        indicator, found = _check_entry(entry, index, name, areas)
        problems += found
        if indicator is None:
            continue
        if indicator.id in indicators:
            problems.append(
                Problem(
                    name,
                    "duplicate_id",
                    f"indicator {indicator.id!r} is defined twice",
                    column="id",
                )
            )
            continue
        indicators[indicator.id] = indicator
    for ind in indicators.values():
        for role in ("numerator", "denominator"):
            ref = getattr(ind, role)
            if ref is not None and ref not in indicators:
                problems.append(
                    Problem(
                        name,
                        f"{role}_unknown",
                        f"indicator {ind.id!r}: {role} {ref!r} is not in the catalog",
                        column=role,
                    )
                )
    if problems:
        raise DataError(problems)
    return Catalog(indicators=indicators, areas=areas, path=path or Path(name))


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
