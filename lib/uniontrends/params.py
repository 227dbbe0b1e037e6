"""Notebook and runner parameters, checked (with clear messages) before any kernel starts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from uniontrends import config
from uniontrends.errors import ParameterError

REGION_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"
YEAR_MIN, YEAR_MAX = 1949, 2100
WINDOW_MIN, WINDOW_MAX = 3, 20
_REGION_RE = re.compile(REGION_PATTERN)
# A spec item is one year or an inclusive range "2018-2022"; spaces around items are tolerated.
_YEAR_ITEM_RE = re.compile(r"^(\d{4})(?:\s*-\s*(\d{4}))?$")


@dataclass(frozen=True)
class Parameters:
    """Checked parameters: the analysis window covers the years start..end (inclusive)."""

    region: str
    year: int
    window: int
    lang: str
    data_dir: Path
    start: int
    end: int

    @property
    def years(self) -> list[int]:
        """The window's years, start..end inclusive."""
        return list(range(self.start, self.end + 1))

    def as_dict(self) -> dict[str, object]:
        """Papermill-ready parameters (data_dir as a string)."""
        return {
            "region": self.region,
            "year": self.year,
            "window": self.window,
            "lang": self.lang,
            "data_dir": str(self.data_dir),
        }


def check_region_slug(region: object) -> str:
    """Return `region` if it is a safe slug (no path separators, no '..'), else raise.

    Raises:
        ParameterError: not a string or not matching REGION_PATTERN.
    """
    if not isinstance(region, str) or not _REGION_RE.match(region):
        raise ParameterError(
            "region",
            region,
            "must be a lower-case slug (letters, digits, '_' or '-', starting with a letter, "
            "at most 40 characters), e.g. 'putuo'",
        )
    return region


def _check_int(name: str, value: object) -> int:
    # bool is an int subclass; a float such as 2022.5 or a string "2022年" is a typo, not a year.
    if isinstance(value, bool):
        raise ParameterError(name, value, "must be a whole number, not a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    raise ParameterError(name, value, "must be a whole number, e.g. 2022")


def _annual_years(data_dir: Path, region: str) -> list[int]:
    """Years that the region's annual table holds (sorted, unique); empty when it has none."""
    annual = data_dir / config.ANNUAL_DIR
    for suffix in (".csv", ".xlsx"):
        path = annual / f"{region}{suffix}"
        if path.is_file():
            if suffix == ".csv":
                # Read without pandas: a fully cached `uniontrends run` never needs it.
                from uniontrends.textfile import csv_column

                years = csv_column(path, "year") or []
            else:
                from uniontrends.load import read_table

                frame = read_table(path)
                years = frame["year"].astype(str).str.strip() if "year" in frame else []
            return sorted({int(y) for y in years if y.isdigit()})
    return []


def _known_regions(data_dir: Path) -> list[str]:
    from uniontrends.catalog import load_regions

    known = list(load_regions(data_dir))
    annual = data_dir / config.ANNUAL_DIR
    if annual.is_dir():
        for path in sorted(annual.iterdir()):
            if path.suffix in (".csv", ".xlsx") and path.stem not in known:
                known.append(path.stem)
    return known


def check_parameters(
    region: str = config.DEFAULT_REGION,
    year: int = config.DEFAULT_YEAR,
    window: int = config.DEFAULT_WINDOW,
    lang: str = config.DEFAULT_LANG,
    data_dir: Path | str | None = None,
    *,
    shorten_window: bool = False,
) -> Parameters:
    """Check one run's parameters against the rules and the data.

    Args:
        region: region slug, known in regions.yaml or present in data/annual/.
        year: last year of the window (calendar year, 1949..2100).
        window: number of years in the window (3..20).
        lang: output language, one of config.LANGS.
        data_dir: the data folder (default: config.DATA_DIR).
        shorten_window: a window that would start before the region's first year of data
            starts there instead, if at least the minimum of years remains (a batch over
            years: 2020 with data from 2018 gets 2018-2020). The result's window says so.

    Returns:
        Parameters with the resolved data_dir and the window years start..end.

    Raises:
        ParameterError: the first rule broken, with a message saying how to fix it.
    """
    region = check_region_slug(region)
    year = _check_int("year", year)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ParameterError("year", year, f"must lie within {YEAR_MIN}..{YEAR_MAX}")
    window = _check_int("window", window)
    if not WINDOW_MIN <= window <= WINDOW_MAX:
        raise ParameterError("window", window, f"must lie within {WINDOW_MIN}..{WINDOW_MAX} years")
    if lang not in config.LANGS:
        raise ParameterError(
            "lang", lang, f"lang {lang!r} is not supported: use {' or '.join(config.LANGS)}"
        )
    root = Path(data_dir) if data_dir is not None else config.DATA_DIR
    if not root.is_dir():
        raise ParameterError("data_dir", str(root), "is not a folder")
    root = root.resolve()
    known = _known_regions(root)
    if region not in known:
        raise ParameterError(
            "region", region, f"unknown region: known regions are {', '.join(known) or 'none'}"
        )
    years = _annual_years(root, region)
    if not years:
        raise ParameterError("region", region, f"has no annual data in {root / config.ANNUAL_DIR}")
    first, last = years[0], years[-1]
    if shorten_window and year - window + 1 < first and WINDOW_MIN <= year - first + 1:
        window = year - first + 1
    start, end = year - window + 1, year
    if start < first or end > last:
        hints = []
        if end <= last and year - first + 1 >= WINDOW_MIN:
            hints.append(f"--window {year - first + 1}")
        if first + window - 1 < last:
            hints.append(f"--year {first + window - 1}..{last}")
        elif first + window - 1 == last:
            hints.append(f"--year {last}")
        if not hints:
            hints.append(f"a window within {first}-{last}")
        needs = f"data from {start}" if start < first else f"data up to {end}"
        raise ParameterError(
            "window" if start < first else "year",
            window if start < first else year,
            f"window {start}-{end} needs {needs} but {region} has {first}-{last}: "
            f"use {' or '.join(hints)}",
        )
    return Parameters(
        region=region, year=year, window=window, lang=lang, data_dir=root, start=start, end=end
    )


def parse_year_spec(spec: str) -> list[int]:
    """Parse a year list such as "2020-2022,2024" into sorted unique years.

    Args:
        spec: comma-separated years or inclusive ranges "start-end".

    Returns:
        Sorted list of years, e.g. [2020, 2021, 2022, 2024].

    Raises:
        ParameterError: empty spec, malformed item, reversed range or a year outside 1949..2100.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ParameterError("year", spec, "give years such as 2022 or 2020-2022,2024")
    years: set[int] = set()
    for item in spec.split(","):
        match = _YEAR_ITEM_RE.match(item.strip())
        if match is None:
            raise ParameterError(
                "year",
                spec,
                f"cannot read {item.strip()!r}: give years such as 2022 or 2020-2022,2024",
            )
        lo = int(match[1])
        hi = int(match[2]) if match[2] else lo
        if lo > hi:
            raise ParameterError("year", spec, f"range {lo}-{hi} is reversed: write {hi}-{lo}")
        for bound in (lo, hi):
            if not YEAR_MIN <= bound <= YEAR_MAX:
                raise ParameterError(
                    "year", spec, f"year {bound} is outside {YEAR_MIN}..{YEAR_MAX}"
                )
        years.update(range(lo, hi + 1))
    return sorted(years)


def parse_region_spec(spec: str, data_dir: Path | str | None = None) -> list[str]:
    """Parse a region list such as "putuo,dinghai" ("all" = every known region).

    Args:
        spec: comma-separated region slugs, or "all".
        data_dir: where to look up regions for "all" (default: config.DATA_DIR).

    Returns:
        Region slugs in the order given, duplicates removed.

    Raises:
        ParameterError: empty spec or an item that is not a safe slug.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ParameterError("region", spec, "give regions such as putuo or putuo,dinghai")
    if spec.strip() == "all":
        root = Path(data_dir) if data_dir is not None else config.DATA_DIR
        return _known_regions(root)
    regions: list[str] = []
    for item in spec.split(","):
        region = check_region_slug(item.strip())
        if region not in regions:
            regions.append(region)
    return regions


def latest_year(regions: list[str], data_dir: Path | str | None = None) -> int:
    """The latest year that every given region has annual data for (what "latest" means).

    Args:
        regions: region ids.
        data_dir: data folder (default: the project's data/).

    Raises:
        ParameterError: a region has no annual data.
    """
    folder = Path(data_dir) if data_dir else config.DATA_DIR
    ends = []
    for region in regions:
        years = _annual_years(folder, region)
        if not years:
            raise ParameterError("year", "latest", f"{region} has no annual data in {folder}")
        ends.append(years[-1])
    return min(ends)


def resolve_year_spec(
    spec: str, regions: list[str], data_dir: Path | str | None = None
) -> list[int]:
    """``parse_year_spec``, plus "latest" for the latest year all regions have."""
    if isinstance(spec, str) and spec.strip().lower() == "latest":
        return [latest_year(regions, data_dir)]
    return parse_year_spec(spec)
