"""A data package: one folder with a federation's catalog, regions and tables, opened once.

Layout (names in data/model.py)::

    <root>/package.yaml      what the package is: id, title, country, comparators, shock years
                             (optional; see PackageInfo)
    <root>/indicators.yaml   the indicator catalog
    <root>/regions.yaml      region ids and names (optional)
    <root>/annual/           one tidy table per region: <region>.csv or .xlsx
    <root>/reported/         published figures (optional)
    <root>/reference/        external reference series (optional)

An entry point (the CLI, ``notebook.session.start``, the runner) opens the package and passes
it down; nothing below reaches for a default folder. The tables are read lazily and kept in
memory per file content, so notebooks sharing a kernel read and check the data once, and a
fully cached run never imports pandas.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from uniontrends.data import textfile
from uniontrends.data.catalog import Catalog, load_catalog
from uniontrends.data.digests import hash_files, sha256_file
from uniontrends.data.model import (
    ANNUAL_DIR,
    CATALOG_FILE,
    COUNTRY_PATTERN,
    PACKAGE_FILE,
    REFERENCE_DIR,
    REGION_PATTERN,
    REPORTED_DIR,
    YEAR_MAX,
    YEAR_MIN,
)
from uniontrends.data.regions import Regions, load_regions
from uniontrends.data.yamlfile import read_yaml
from uniontrends.errors import DataError, ParameterError, Problem

if TYPE_CHECKING:
    import pandas as pd

    from uniontrends.data.validate import ValidationReport


@dataclass(frozen=True)
class PackageInfo:
    """What a data package is (package.yaml); every field is optional.

    Attributes:
        id: a slug naming the package (default: its folder's name); outputs and cache keys of
            different packages never collide.
        title_en, title_zh: the federation or data set, for titles.
        country: ISO3 code (lower case) of the package's country, for reference series.
        peers: ISO3 codes of the countries the reference series compare with.
        compare_with: region ids the "across regions" comparisons use (default: all).
        shock_years: years that moved many series (2020 for the bundled package); trend
            findings say whether their direction survives leaving them out.
        encodings: {table file under the package, e.g. "annual/putuo.csv": its encoding} for
            CSV files that are neither UTF-8 nor GBK/GB18030 (cp1252, big5, shift_jis, ...).
    """

    id: str
    title_en: str = ""
    title_zh: str = ""
    country: str = ""
    peers: tuple[str, ...] = ()
    compare_with: tuple[str, ...] = ()
    shock_years: tuple[int, ...] = ()
    encodings: tuple[tuple[str, str], ...] = ()

    def encoding_of(self, name: str) -> str | None:
        """The declared encoding of a table file (its path under the package), if any."""
        return dict(self.encodings).get(name)

    @property
    def is_chinese(self) -> bool:
        """Whether the package's people read Chinese first (a Chinese-speaking country)."""
        return self.country in CHINESE_COUNTRIES


# Countries whose federations read Chinese first: workbooks put Chinese before English.
CHINESE_COUNTRIES = ("chn", "hkg", "mac", "twn")
_LISTS = {
    "peers": (str, COUNTRY_PATTERN, "ISO3 country codes in lower case, e.g. [jpn, kor]"),
    "compare_with": (str, REGION_PATTERN, "region ids, e.g. [putuo, dinghai]"),
    "shock_years": (int, None, f"years within {YEAR_MIN}..{YEAR_MAX}, e.g. [2020]"),
}


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _list_field(key: str, value: object, file: str) -> tuple[tuple, list[Problem]]:
    kind, pattern, hint = _LISTS[key]
    if not isinstance(value, list):
        return (), [Problem(file, "field_type", f"{key} must be a list of {hint}", column=key)]
    problems = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, kind):
            problems.append(
                Problem(file, "field_type", f"{key}: {_short(item)} is not one of {hint}",
                        column=key)
            )  # fmt: skip
        elif pattern and not re.match(pattern, item):
            problems.append(
                Problem(file, "field_value", f"{key}: {_short(item)} is not one of {hint}",
                        column=key)
            )  # fmt: skip
        elif kind is int and not YEAR_MIN <= item <= YEAR_MAX:
            problems.append(
                Problem(file, "field_value", f"{key}: {item} is not one of {hint}", column=key)
            )
    if len(set(map(str, value))) != len(value):
        problems.append(Problem(file, "field_value", f"{key} names an item twice", column=key))
    return (tuple(value) if not problems else ()), problems


def _encodings_field(value: object, file: str) -> tuple[tuple, list[Problem]]:
    hint = "a mapping of table file to encoding, e.g. encodings: {annual/putuo.csv: cp1252}"
    if not isinstance(value, dict):
        return (), [Problem(file, "field_type", f"encodings must be {hint}", column="encodings")]
    problems = []
    for name, codec in value.items():
        if not isinstance(name, str) or not isinstance(codec, str):
            problems.append(Problem(file, "field_type", f"encodings must be {hint}",
                                    column="encodings"))  # fmt: skip
            continue
        try:
            codecs.lookup(codec)
        except LookupError:
            problems.append(
                Problem(file, "field_value", f"encodings: {_short(codec)} (for {_short(name)}) is "
                        "not an encoding Python knows, e.g. cp1252, big5, shift_jis",
                        column="encodings")
            )  # fmt: skip
    return (tuple(sorted(value.items())) if not problems else ()), problems


def load_package_info(root: Path) -> PackageInfo:
    """Read ``<root>/package.yaml``; a package without one is named after its folder.

    Raises:
        DataError: the file is not YAML (or repeats a key), not a mapping, or a field has the
            wrong type or value (names the field).
    """
    path = Path(root) / PACKAGE_FILE
    default_id = re.sub(r"[^a-z0-9_-]+", "-", Path(root).resolve().name.lower()).strip("-")
    default_id = re.sub(r"^[^a-z]+", "", default_id)[:40] or "data"
    if not path.is_file():
        return PackageInfo(id=default_id)
    raw = read_yaml(path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise DataError([Problem(path.name, "package_shape", "expected a mapping of fields")])
    known = [f for f in PackageInfo.__dataclass_fields__]
    problems = [
        Problem(path.name, "field_unknown",
                f"unknown field {_short(key)}; fields: {', '.join(known)}")
        for key in raw
        if key not in known
    ]  # fmt: skip
    ident = raw.get("id", default_id)
    if not isinstance(ident, str) or not re.match(REGION_PATTERN, ident):
        problems.append(
            Problem(path.name, "package_id", f"id {_short(ident)} is not a slug (lower-case "
                    "letters, digits, '_' or '-', starting with a letter)", column="id")
        )  # fmt: skip
    fields: dict[str, object] = {}
    for key in _LISTS:
        fields[key], found = _list_field(key, raw.get(key, []), path.name)
        problems += found
    fields["encodings"], found = _encodings_field(raw.get("encodings", {}), path.name)
    problems += found
    for key in ("title_en", "title_zh", "country"):
        value = raw.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.append(Problem(path.name, "field_type", f"{key} must be text", column=key))
            value = ""
        elif key == "country" and value and not re.match(COUNTRY_PATTERN, value):
            problems.append(
                Problem(path.name, "field_value", f"country {_short(value)} is not an ISO3 code "
                        "in lower case, e.g. chn", column=key)
            )  # fmt: skip
        fields[key] = value
    if problems:
        raise DataError(problems)
    return PackageInfo(id=str(ident), **fields)  # type: ignore[arg-type]


class DataPackage:
    """One data folder: catalog, regions, annual panels, published figures, reference series.

    Attributes are read when first used and then kept; a package object describes the files
    as they were when read (open a new one after editing them).
    """

    def __init__(self, root: Path | str):
        root = Path(root)
        if not root.is_dir():
            raise ParameterError("data_dir", str(root), "is not a folder")
        self.root = root.resolve()

    def __repr__(self) -> str:
        return f"DataPackage({str(self.root)!r})"

    # ---- what is there (cheap: no pandas) ------------------------------------------------

    def annual_files(self) -> list[Path]:
        """The annual tables, one per region, sorted by file name."""
        return textfile.table_files(self.root / ANNUAL_DIR)

    def reported_files(self) -> list[Path]:
        """The tables of published figures, sorted by file name."""
        return textfile.table_files(self.root / REPORTED_DIR)

    def annual_file(self, region: str) -> Path | None:
        """The annual table of a region (CSV before XLSX), None when it has none."""
        for suffix in textfile.TABLE_SUFFIXES:
            path = self.root / ANNUAL_DIR / f"{region}{suffix}"
            if path.is_file():
                return path
        return None

    def region_ids(self) -> list[str]:
        """Regions of regions.yaml, then those that only have an annual table."""
        known = list(self.regions)
        for path in self.annual_files():
            if path.stem not in known:
                known.append(path.stem)
        return known

    def region_years(self, region: str) -> list[int]:
        """Years a region's annual table holds (sorted, unique); empty when it has none.

        Read without pandas for CSV: a fully cached `uniontrends run` never needs it.
        """
        path = self.annual_file(region)
        if path is None:
            return []
        name = path.relative_to(self.root).as_posix()
        if path.suffix == ".csv":
            years = textfile.csv_column(path, "year", self.info.encoding_of(name)) or []
        else:
            from uniontrends.data.tables import read_table

            frame = read_table(path)
            years = list(frame["year"].astype(str).str.strip()) if "year" in frame else []
        return sorted({int(y) for y in years if y.isdigit()})

    # ---- contents (validated) -------------------------------------------------------------

    @functools.cached_property
    def info(self) -> PackageInfo:
        """What the package is (package.yaml)."""
        return load_package_info(self.root)

    @functools.cached_property
    def catalog(self) -> Catalog:
        """The indicator catalog (indicators.yaml)."""
        return load_catalog(self.root)

    @functools.cached_property
    def regions(self) -> Regions:
        """Region ids and names (regions.yaml; empty when absent)."""
        return load_regions(self.root)

    @functools.cached_property
    def annual(self) -> pd.DataFrame:
        """All annual tables, validated and concatenated (``model.ANNUAL_COLUMNS``)."""
        return self._checked("annual", self.annual_files())

    def annual_of(self, region: str) -> pd.DataFrame:
        """The validated annual rows of one region's table (no other table is read)."""
        path = self.annual_file(region)
        if path is None:
            from uniontrends.data.validate import empty_annual

            return empty_annual()
        return self._checked("annual", [path])

    @functools.cached_property
    def panel(self) -> pd.DataFrame:
        """The annual rows plus the catalog's derived rates (numerator / denominator)."""
        return _derived(*self._cache_key("annual", self.annual_files())).copy()

    @functools.cached_property
    def reported(self) -> pd.DataFrame:
        """All published figures, validated and concatenated (``model.REPORTED_COLUMNS``)."""
        return self._checked("reported", self.reported_files())

    @functools.cached_property
    def reference(self) -> pd.DataFrame:
        """The external reference series, tidy (``reference.REFERENCE_COLUMNS``)."""
        from uniontrends.data.reference import tidy_reference

        return tidy_reference(self.root / REFERENCE_DIR)

    def region_name(self, region: str, lang: str = "en") -> str:
        """Display name of a region in ``lang`` (the id when the package has no name)."""
        return self.regions.name(region, lang)

    def _cache_key(
        self, kind: str, files: list[Path]
    ) -> tuple[str, Path, tuple[tuple[str, str], ...], str]:
        rules = [self.root / CATALOG_FILE, self.root / PACKAGE_FILE]  # the rules depend on them
        rules_digest = "".join(sha256_file(p) if p.is_file() else "-" for p in rules)
        return kind, self.root, tuple(hash_files(files, self.root).items()), rules_digest

    def _checked(self, kind: str, files: list[Path]) -> pd.DataFrame:
        return _validated(*self._cache_key(kind, files)).copy()

    # ---- checking everything --------------------------------------------------------------

    def validate(self) -> ValidationReport:
        """Check catalog, regions, annual, reported and reference tables; never raises."""
        return validate_package(self.root)


def open_package(root: Path | str) -> DataPackage:
    """The data package in ``root``.

    Raises:
        ParameterError: ``root`` is not a folder.
    """
    return DataPackage(root)


def _two_files(files: list[Path], root: Path) -> list[Problem]:
    """A region with both annual/<region>.csv and .xlsx: which one is meant is not known."""
    by_region: dict[str, list[Path]] = {}
    for path in files:
        by_region.setdefault(path.stem, []).append(path)
    problems = []
    for region, paths in by_region.items():
        if len(paths) > 1:
            names = " and ".join(p.relative_to(root).as_posix() for p in paths)
            problems.append(
                Problem(paths[-1].relative_to(root).as_posix(), "region_two_files",
                        f"region {region!r} has two annual tables, {names}: keep one (the "
                        "other would be ignored or mixed in)")
            )  # fmt: skip
    return problems


def _file_name_problems(path: Path, root: Path) -> list[Problem]:
    """An annual table is named after its region: the file name must be a region slug."""
    if re.match(REGION_PATTERN, path.stem):
        return []
    return [
        Problem(path.relative_to(root).as_posix(), "region_file_name",
                f"the file name {path.stem!r} is not a region id (lower-case letters, digits, "
                "'_' or '-', starting with a letter): name the file <region>.csv")
    ]  # fmt: skip


def _check_table(
    kind: str, path: Path, root: Path, catalog: Catalog, info: PackageInfo, label: str | None
) -> pd.DataFrame:
    """Read and check one table of the package by the rules of its folder."""
    from uniontrends.data import validate
    from uniontrends.data.tables import read_table

    name = path.relative_to(root).as_posix()
    frame = read_table(path, encoding=info.encoding_of(name), declared_as=name)
    file = f"{kind}/{frame.attrs['file']}" if label else None
    if kind == ANNUAL_DIR:
        return validate.check_annual(frame, catalog, file, region=path.stem)
    return validate.check_reported(frame, catalog, file)


@functools.lru_cache(maxsize=16)
def _validated(
    kind: str, root: Path, files: tuple[tuple[str, str], ...], rules_digest: str
) -> pd.DataFrame:
    """The files (path under root, digest), each checked by the rules of its kind, concatenated.

    The digests are there for the cache key only, the rules' too (catalog and package.yaml).
    An error is raised, never cached: a file with problems is read again next time.
    """
    import pandas as pd

    from uniontrends.data import validate

    catalog = load_catalog(root)
    info = load_package_info(root)
    paths = [root / name for name, _digest in files]
    problems = _two_files(paths, root) if kind == ANNUAL_DIR else []
    frames = []
    for path in paths:
        try:
            frames.append(_check_table(kind, path, root, catalog, info, None))
        except DataError as error:
            problems += error.problems
    if problems:
        raise DataError(problems)
    if not frames:
        return validate.empty_annual() if kind == ANNUAL_DIR else validate.empty_reported()
    return pd.concat(frames, ignore_index=True)


@functools.lru_cache(maxsize=4)
def _derived(
    kind: str, root: Path, files: tuple[tuple[str, str], ...], rules_digest: str
) -> pd.DataFrame:
    """The annual files' rows plus the catalog's derived rates, kept for the next notebook
    that a warm kernel runs on the same files (same cache key as ``_validated``)."""
    from uniontrends.data.derive import add_derived

    return add_derived(_validated(kind, root, files, rules_digest), load_catalog(root))


def _info_problems(info: PackageInfo, root: Path, regions: list[str]) -> list[Problem]:
    """package.yaml against the rest of the package: comparators and declared encodings."""
    problems = [
        Problem(PACKAGE_FILE, "compare_with", f"compare_with names {r!r}, not a region of the "
                f"package ({', '.join(regions) or 'none'})", column="compare_with")
        for r in info.compare_with
        if r not in regions
    ]  # fmt: skip
    for name, _codec in info.encodings:
        if not (root / name).is_file() or Path(name).suffix.lower() != ".csv":
            problems.append(
                Problem(PACKAGE_FILE, "encodings", f"encodings names {name!r}, not a CSV file of "
                        "the package (write its path under the package, e.g. annual/putuo.csv)",
                        column="encodings")
            )  # fmt: skip
    return problems


def validate_package(root: Path | str) -> ValidationReport:
    """Validate package.yaml, the catalog, regions, annual, reported and reference tables.

    Args:
        root: the data package's folder.

    Returns:
        ValidationReport with rows per file (every table file, None for one with problems),
        regions, indicator count, reported figures and every problem (never raises DataError).
    """
    from uniontrends.data.reference import tidy_reference
    from uniontrends.data.validate import ValidationReport

    root = Path(root)
    report = ValidationReport(data_dir=root)
    if not root.is_dir():
        report.problems.append(Problem(str(root), "file_missing", "the data folder does not exist"))
        return report
    info = catalog = None
    regions = Regions()
    for load in (load_package_info, load_catalog, load_regions):
        try:
            loaded = load(root)
        except DataError as error:
            report.problems += error.problems
            continue
        if isinstance(loaded, PackageInfo):
            info = loaded
        elif isinstance(loaded, Catalog):
            catalog = loaded
        else:
            regions = loaded
    if catalog is not None:
        report.indicators = len(catalog.indicators)
    annual = textfile.table_files(root / ANNUAL_DIR)
    report.problems += _two_files(annual, root)
    found_regions: set[str] = set()
    for folder, files in (
        (ANNUAL_DIR, annual),
        (REPORTED_DIR, textfile.table_files(root / REPORTED_DIR)),
    ):
        for path in files:
            name = f"{folder}/{path.name}"
            report.files[name] = None
            problems = _file_name_problems(path, root) if folder == ANNUAL_DIR else []
            if problems or catalog is None or info is None:
                report.problems += problems
                continue
            try:
                table = _check_table(folder, path, root, catalog, info, name)
            except DataError as error:
                # Reading problems name the bare file; checking problems name folder/file.
                report.problems += [
                    Problem(name, p.rule, p.message, p.row, p.column) if p.file == path.name else p
                    for p in error.problems
                ]
                continue
            report.files[name] = len(table)
            found_regions.update(table["region"])
            if folder == REPORTED_DIR:
                report.reported_figures += len(table)
    report.regions = sorted(found_regions)
    if info is not None:
        known = list(dict.fromkeys([*regions, *(p.stem for p in annual)]))
        report.problems += _info_problems(info, root, known)
    try:
        tidy_reference(root / REFERENCE_DIR)
    except DataError as error:
        report.problems += error.problems
    return report
