"""The regions of a data package (regions.yaml): ids and display names in each language."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from uniontrends.data.model import REGION_PATTERN, REGIONS_FILE
from uniontrends.data.yamlfile import read_yaml
from uniontrends.errors import DataError, Problem


@dataclass(frozen=True)
class Region:
    """One region: its id (a slug) and display names; extra fields of regions.yaml kept."""

    id: str
    name_en: str
    name_zh: str
    has_reported: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def name(self, lang: str = "en") -> str:
        """The display name in ``lang`` ("en" or "zh")."""
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Regions(Mapping[str, Region]):
    """The regions of a package by id, in file order."""

    by_id: dict[str, Region] = field(default_factory=dict)

    def __getitem__(self, region_id: str) -> Region:
        return self.by_id[region_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_id)

    def __len__(self) -> int:
        return len(self.by_id)

    def name(self, region_id: str, lang: str = "en") -> str:
        """Display name of a region in ``lang``; the id itself when the package has no name."""
        region = self.by_id.get(region_id)
        return region.name(lang) if region is not None else region_id

    def names(self, region_id: str) -> dict[str, str]:
        """{lang: display name} for every output language."""
        return {lang: self.name(region_id, lang) for lang in ("en", "zh")}


def _shown(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_region(key: Any, entry: Any, file: str) -> tuple[Region | None, list[Problem]]:
    """One entry of the regions mapping, checked: a slug key, text names, a boolean flag."""
    if not isinstance(key, str) or not re.match(REGION_PATTERN, key):
        return None, [
            Problem(file, "region_slug", f"region {_shown(key)} is not a lower-case slug "
                    "(letters, digits, '_' or '-', starting with a letter, at most 40)")
        ]  # fmt: skip
    if entry is None:
        entry = {}
    if not isinstance(entry, dict):
        return None, [
            Problem(file, "regions_shape", f"region {key!r} must be a mapping such as "
                    "{name_en: ..., name_zh: ...}", column=key)
        ]  # fmt: skip
    problems = []
    for name in ("name_en", "name_zh"):
        if entry.get(name) is not None and not isinstance(entry[name], str):
            problems.append(
                Problem(file, "field_type", f"region {key!r}: {name} {_shown(entry[name])} "
                        "must be text", column=name)
            )  # fmt: skip
    if "has_reported" in entry and not isinstance(entry["has_reported"], bool):
        problems.append(
            Problem(file, "field_type", f"region {key!r}: has_reported "
                    f"{_shown(entry['has_reported'])} must be true or false (a YAML boolean, "
                    "without quotes)", column="has_reported")
        )  # fmt: skip
    if problems:
        return None, problems
    rest = {k: v for k, v in entry.items() if k not in ("name_en", "name_zh", "has_reported")}
    en, zh = entry.get("name_en") or "", entry.get("name_zh") or ""
    region = Region(
        id=key,
        name_en=en or zh or key,
        name_zh=zh or en or key,
        has_reported=entry.get("has_reported", False),
        extra=rest,
    )
    return region, []


def load_regions(root: Path) -> Regions:
    """Read ``<root>/regions.yaml``.

    Args:
        root: the data package's folder.

    Returns:
        Regions (empty when the file is absent). A name missing in one language falls back
        to the other, then to the id.

    Raises:
        DataError: the file is not YAML, not a mapping of regions, a key is not a slug, a
            name is not text or has_reported is not a boolean.
    """
    path = Path(root) / REGIONS_FILE
    if not path.is_file():
        return Regions()
    raw = read_yaml(path)
    regions = raw.get("regions") if isinstance(raw, dict) else None
    if not isinstance(regions, dict):
        raise DataError(
            [Problem(path.name, "regions_shape", "expected a 'regions' mapping, e.g. regions: "
                     "{putuo: {name_en: Putuo District, name_zh: 普陀区}}")]
        )  # fmt: skip
    unknown = [k for k in raw if k != "regions"]
    problems = [
        Problem(path.name, "regions_shape", f"unknown section {_shown(k)}; the file holds "
                "'regions' only")
        for k in unknown
    ]  # fmt: skip
    out: dict[str, Region] = {}
    for key, entry in regions.items():
        region, found = _check_region(key, entry, path.name)
        problems += found
        if region is not None:
            out[region.id] = region
    if problems:
        raise DataError(problems)
    return Regions(out)
