"""Notebook and runner parameters, checked (with clear messages) before any kernel starts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from uniontrends.data.model import (
    ANNUAL_DIR,
    LANGS,
    REGION_PATTERN,
    WINDOW_MAX,
    WINDOW_MIN,
    YEAR_MAX,
    YEAR_MIN,
)
from uniontrends.data.package import DataPackage
from uniontrends.errors import ParameterError
from uniontrends.messages import message, message_lang, suggestion

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


def check_region_slug(region: object, lang: str = "en") -> str:
    """Return `region` if it is a safe slug (no path separators, no '..'), else raise.

    Raises:
        ParameterError: not a string or not matching REGION_PATTERN.
    """
    if not isinstance(region, str) or not _REGION_RE.match(region):
        lang = message_lang(lang)
        rule = message("param.slug", lang)
        if isinstance(region, str) and _REGION_RE.match(region.strip().lower()):
            rule += suggestion(region, [region.strip().lower()], lang)
        raise ParameterError("region", region, rule, lang)
    return region


def _check_int(name: str, value: object, lang: str) -> int:
    # bool is an int subclass; a float such as 2022.5 or a string "2022年" is a typo, not a year.
    if isinstance(value, bool):
        raise ParameterError(name, value, message("param.not_boolean", lang), lang)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    raise ParameterError(name, value, message("param.whole_number", lang), lang)


def check_parameters(
    package: DataPackage,
    region: str,
    year: int,
    window: int,
    lang: str,
    *,
    shorten_window: bool = False,
) -> Parameters:
    """Check one run's parameters against the rules and the data.

    Args:
        package: the data package the parameters refer to.
        region: region slug, known in regions.yaml or present in annual/.
        year: last year of the window (calendar year, 1949..2100).
        window: number of years in the window (3..20).
        lang: output language, one of model.LANGS.
        shorten_window: a window that would start before the region's first year of data
            starts there instead, if at least the minimum of years remains (a batch over
            years: 2020 with data from 2018 gets 2018-2020). The result's window says so.

    Returns:
        Parameters with the resolved data_dir and the window years start..end.

    Raises:
        ParameterError: the first rule broken, with a message saying how to fix it.
    """
    # Messages follow the notebook's language, also when the language itself is misspelt.
    words = message_lang(lang)
    region = check_region_slug(region, words)
    year = _check_int("year", year, words)
    if not YEAR_MIN <= year <= YEAR_MAX:
        rule = message("param.year_range", words, low=YEAR_MIN, high=YEAR_MAX)
        raise ParameterError("year", year, rule, words)
    window = _check_int("window", window, words)
    if not WINDOW_MIN <= window <= WINDOW_MAX:
        rule = message("param.window_range", words, low=WINDOW_MIN, high=WINDOW_MAX)
        raise ParameterError("window", window, rule, words)
    if lang not in LANGS:
        rule = message("param.lang", words, value=repr(lang), choices=" or ".join(LANGS))
        raise ParameterError("lang", lang, rule + suggestion(lang, LANGS, words), words)
    root = package.root
    known = package.region_ids()
    if region not in known:
        rule = message("param.unknown_region", words, known=", ".join(known) or "none")
        raise ParameterError("region", region, rule + suggestion(region, known, words), words)
    years = package.region_years(region)
    if not years:
        rule = message("param.no_annual_data", words, folder=root / ANNUAL_DIR)
        raise ParameterError("region", region, rule, words)
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
            hints.append(message("param.within", words, first=first, last=last))
        if start < first:
            needs = message("param.needs_from", words, year=start)
        else:
            needs = message("param.needs_until", words, year=end)
        rule = message(
            "param.window_data", words, start=start, end=end, needs=needs, region=region,
            first=first, last=last, hints=message("param.or", words).join(hints),
        )  # fmt: skip
        raise ParameterError(
            "window" if start < first else "year", window if start < first else year, rule, words
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


def parse_region_spec(spec: str, package: DataPackage) -> list[str]:
    """Parse a region list such as "putuo,dinghai" ("all" = every known region).

    Args:
        spec: comma-separated region slugs, or "all".
        package: the data package whose regions "all" means.

    Returns:
        Region slugs in the order given, duplicates removed.

    Raises:
        ParameterError: empty spec or an item that is not a safe slug.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ParameterError("region", spec, "give regions such as putuo or putuo,dinghai")
    if spec.strip() == "all":
        return package.region_ids()
    regions: list[str] = []
    for item in spec.split(","):
        region = check_region_slug(item.strip())
        if region not in regions:
            regions.append(region)
    return regions


def latest_year(regions: list[str], package: DataPackage) -> int:
    """The latest year that every given region has annual data for (what "latest" means).

    Args:
        regions: region ids.
        package: the data package.

    Raises:
        ParameterError: a region has no annual data.
    """
    ends = []
    for region in regions:
        years = package.region_years(region)
        if not years:
            raise ParameterError("year", "latest", f"{region} has no annual data in {package.root}")
        ends.append(years[-1])
    return min(ends)


def resolve_year_spec(spec: str, regions: list[str], package: DataPackage) -> list[int]:
    """``parse_year_spec``, plus "latest" for the latest year all regions have."""
    if isinstance(spec, str) and spec.strip().lower() == "latest":
        return [latest_year(regions, package)]
    return parse_year_spec(spec)
