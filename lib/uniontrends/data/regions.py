"""The regions of a data package (regions.yaml): ids and display names in each language."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from uniontrends.data.catalog import read_yaml
from uniontrends.data.model import REGION_PATTERN, REGIONS_FILE
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


def load_regions(root: Path) -> Regions:
    """Read ``<root>/regions.yaml``.

    Args:
        root: the data package's folder.

    Returns:
        Regions (empty when the file is absent). A name missing in one language falls back
        to the other, then to the id.

    Raises:
        DataError: the file is not YAML, not a mapping of regions, or a key is not a slug.
    """
    path = Path(root) / REGIONS_FILE
    if not path.is_file():
        return Regions()
    raw = read_yaml(path)
    regions = raw.get("regions") if isinstance(raw, dict) else None
    if not isinstance(regions, dict):
        raise DataError([Problem(path.name, "regions_shape", "expected a 'regions' mapping")])
    bad = [str(k) for k in regions if not re.match(REGION_PATTERN, str(k))]
    if bad:
        raise DataError(
            [
                Problem(path.name, "region_slug", f"region {k!r} is not a lower-case slug")
                for k in bad
            ]
        )
    out: dict[str, Region] = {}
    for key, entry in regions.items():
        entry = dict(entry or {})
        en = str(entry.pop("name_en", "") or "")
        zh = str(entry.pop("name_zh", "") or "")
        out[str(key)] = Region(
            id=str(key),
            name_en=en or zh or str(key),
            name_zh=zh or en or str(key),
            has_reported=bool(entry.pop("has_reported", False)),
            extra=entry,
        )
    return Regions(out)
