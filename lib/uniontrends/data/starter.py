"""A new data package to fill in (`uniontrends init`): the files a federation starts from.

What it writes (see docs/data-package.md for the reference of every file):

- ``package.yaml``: the package's id, titles, country, comparators and shock years;
- ``regions.yaml``: the first region with its names;
- ``indicators.yaml``: the built-in indicators selected (``include``), every other built-in
  indicator listed in a comment by area, and a commented example of an own indicator;
- ``annual/<region>.csv``: the header of the tidy table, to fill in one row per year and
  indicator; ``annual/README.md`` says how;
- ``reported/README.md``: where published figures go (optional);
- ``reference/``: a copy of the real reference series (ILOSTAT, OECD), when given;
- ``README.md``: the steps from here to a report.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from uniontrends.data.catalog import builtin_catalog
from uniontrends.data.model import (
    ANNUAL_COLUMNS,
    ANNUAL_DIR,
    CATALOG_FILE,
    COUNTRY_PATTERN,
    PACKAGE_FILE,
    REFERENCE_DIR,
    REGION_PATTERN,
    REGIONS_FILE,
    REPORTED_DIR,
)
from uniontrends.errors import ParameterError

DEFAULT_INDICATORS = ("union_members", "employees", "union_density")

_ANNUAL_README = """\
# annual/: one tidy table per region

`<region>.csv` (or `.xlsx`) holds one row per year and indicator, with the columns

    region,year,indicator,value,qualifier,unit,source,provenance

- `region`: the region id (the file's name); `year`: a four-digit year;
- `indicator`: an id from `../indicators.yaml`; `unit`: its base unit (persons, cases, yuan,
  share, ...); values in base units ("3.5万" may be written as text and is converted);
- `qualifier`: `exact`, `at_least` ("1200余"), `at_most`, `approx` ("约"), or `missing`
  for a year that has no value (leave `value` empty; add a `missing_reason` column to say
  why); a year may also be left out;
- `source`: where the value comes from; `provenance`: `official_annual` (statistical
  returns), `reported` (published) or `synthetic` (generated, never real);
- optional: `sample_size` (survey respondents) and `design_effect` (>= 1) for a
  survey-based share.

Derived rates (union density = members / employees, ...) are computed, not written.
`uniontrends validate <package>` checks every rule and names file, row and column.
"""

_REPORTED_README = """\
# reported/: published figures (optional)

One row per figure a publication printed for a period, with the columns

    region,indicator,period_start,period_end,value,qualifier,unit,source,provenance,phrase_zh,note

`provenance` is `reported`; `phrase_zh` is the phrase as printed ("调处劳动争议1200余件");
`source` names the publication. Sections about published figures appear in the notebooks
and the report only when this folder holds some.
"""


def _package_yaml(ident: str, title_en: str, title_zh: str, country: str,
                  peers: list[str]) -> str:  # fmt: skip
    fields = {"id": ident, "title_en": title_en, "title_zh": title_zh, "country": country,
              "peers": peers, "compare_with": [], "shock_years": []}  # fmt: skip
    body = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=None)
    return (
        '# What this data package is (docs/data-package.md, "package.yaml").\n'
        "# country and peers: ISO3 codes in lower case; the international notebook shows these.\n"
        '# compare_with: the region ids "across regions" compares (empty: all regions).\n'
        "# shock_years: years that moved many series (e.g. [2020]).\n" + body
    )


def _regions_yaml(region: str, name_en: str, name_zh: str) -> str:
    body = yaml.safe_dump(
        {"regions": {region: {"name_en": name_en, "name_zh": name_zh}}},
        allow_unicode=True,
        sort_keys=False,
    )
    return "# The regions of the package: id (a slug, the annual file's name) and names.\n" + body


def _indicators_yaml(include: list[str]) -> str:
    builtin = builtin_catalog()
    lines = [
        '# The indicators of this package (docs/data-package.md, "indicators.yaml").',
        "# include: built-in indicators by id (or: include: all). Every built-in indicator:",
    ]
    for area, names in builtin.areas.items():
        lines.append(f"#   {area} ({names['name_en']} / {names['name_zh']}):")
        for ind in builtin.in_area(area):
            derived = f" = {ind.numerator} / {ind.denominator}" if ind.is_derived else ""
            lines.append(f"#     {ind.id}: {ind.name_en} / {ind.name_zh} [{ind.unit}]{derived}")
    lines.append(yaml.safe_dump({"include": include}, default_flow_style=None).strip())
    lines += [
        "# Your own indicators and areas (uncomment and edit):",
        "# areas:",
        "#   bargaining: {name_en: Collective bargaining, name_zh: 集体协商}",
        "# indicators:",
        "#   - {id: conciliation_rate, area: disputes, name_en: Conciliation rate,",
        "#      name_zh: 调解成功率, unit: share, kind: rate, aggregation: mean}",
    ]
    return "\n".join(lines) + "\n"


def _readme(title: str, region: str, root: Path) -> str:
    return f"""\
# {title}

A uniontrends data package. From here to a report:

1. Fill in `annual/{region}.csv`: one row per year and indicator (see `annual/README.md`);
   choose the indicators in `indicators.yaml` (`include:`, or your own).
2. Check it: `uniontrends validate {root}` lists every problem with file, row and column.
3. Run the suite: `uniontrends run --data-dir {root} --region {region}` (add `--year` and
   `--window` as needed); the report is `90_annual_report.html` in the outputs folder.
4. Each new year: `uniontrends template --data-dir {root} --region {region} --year <year>
   -o {region}_<year>.xlsx`, fill it in, then `uniontrends add-year {region}_<year>.xlsx
   --data-dir {root}`.

Published figures go in `reported/` (optional); `reference/` holds real public series
(ILOSTAT, OECD) for the international comparison.
"""


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")
    return re.sub(r"^[^a-z]+", "", slug)[:40]


def write_starter_package(
    root: Path | str,
    *,
    region: str | None = None,
    name_en: str = "",
    name_zh: str = "",
    title_en: str = "",
    title_zh: str = "",
    country: str = "",
    peers: list[str] | None = None,
    include: list[str] | None = None,
    reference_from: Path | None = None,
) -> list[Path]:
    """Write a new data package to fill in.

    Args:
        root: the package's folder (created; must be empty or absent).
        region: the first region's id (default: a slug of the folder's name).
        name_en, name_zh: the region's names (default: the id).
        title_en, title_zh: the federation's name, for titles.
        country: ISO3 code in lower case (e.g. "chn"), for the reference series.
        peers: ISO3 codes of the countries to compare with.
        include: built-in indicator ids to use, or ["all"] (default: union members,
            employees and union density).
        reference_from: a ``reference/`` folder whose real series are copied in.

    Returns:
        The files written.

    Raises:
        ParameterError: the folder is not empty, or an argument is not a valid id.
    """
    root = Path(root)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ParameterError("folder", str(root), "is not empty: init writes a new package")
    ident = _slug(root.resolve().name) or "package"
    region = region or ident.replace("-", "_")
    if not re.match(REGION_PATTERN, region):
        raise ParameterError("region", region, "must be a lower-case slug, e.g. 'putuo'")
    peers = list(peers or [])
    for code in [country, *peers]:
        if code and not re.match(COUNTRY_PATTERN, code):
            raise ParameterError("country", code, "must be an ISO3 code in lower case, e.g. chn")
    chosen = list(include or DEFAULT_INDICATORS)
    builtin = builtin_catalog()
    if chosen != ["all"]:
        unknown = [i for i in chosen if i not in builtin.indicators]
        if unknown:
            raise ParameterError(
                "include", ",".join(unknown),
                f"not built-in indicators; built-in: {', '.join(builtin.indicators)}",
            )  # fmt: skip
    root.mkdir(parents=True, exist_ok=True)
    files = {
        PACKAGE_FILE: _package_yaml(ident, title_en, title_zh, country, peers),
        REGIONS_FILE: _regions_yaml(region, name_en or region, name_zh or name_en or region),
        CATALOG_FILE: _indicators_yaml("all" if chosen == ["all"] else chosen),  # type: ignore[arg-type]
        f"{ANNUAL_DIR}/{region}.csv": ",".join(ANNUAL_COLUMNS) + "\n",
        f"{ANNUAL_DIR}/README.md": _ANNUAL_README,
        f"{REPORTED_DIR}/README.md": _REPORTED_README,
        "README.md": _readme(title_en or title_zh or ident, region, root),
    }
    written = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    if reference_from is not None and reference_from.is_dir():
        target = root / REFERENCE_DIR
        shutil.copytree(reference_from, target)
        written += sorted(p for p in target.rglob("*") if p.is_file())
    return written
