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
    PACKAGE_FILE,
    REFERENCE_DIR,
    REGION_PATTERN,
    REPORTED_DIR,
)
from uniontrends.data.regions import Regions, load_regions
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
    """

    id: str
    title_en: str = ""
    title_zh: str = ""
    country: str = ""
    peers: tuple[str, ...] = ()
    compare_with: tuple[str, ...] = ()
    shock_years: tuple[int, ...] = ()


def load_package_info(root: Path) -> PackageInfo:
    """Read ``<root>/package.yaml``; a package without one is named after its folder.

    Raises:
        DataError: the file is not YAML, not a mapping, or a field has the wrong type.
    """
    from uniontrends.data.catalog import read_yaml

    path = Path(root) / PACKAGE_FILE
    default_id = re.sub(r"[^a-z0-9_-]+", "-", Path(root).resolve().name.lower()).strip("-")
    if not path.is_file():
        return PackageInfo(id=default_id or "data")
    raw = read_yaml(path) or {}
    if not isinstance(raw, dict):
        raise DataError([Problem(path.name, "package_shape", "expected a mapping of fields")])
    known = {f for f in PackageInfo.__dataclass_fields__}
    problems = [
        Problem(path.name, "field_unknown", f"unknown field {key!r}; fields: {', '.join(known)}")
        for key in raw
        if key not in known
    ]
    ident = str(raw.get("id", default_id))
    if not re.match(REGION_PATTERN, ident):
        problems.append(
            Problem(path.name, "package_id", f"id {ident!r} is not a slug", column="id")
        )
    lists = {}
    for key, kind in (("peers", str), ("compare_with", str), ("shock_years", int)):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(v, kind) and not isinstance(v, bool) for v in value
        ):
            problems.append(
                Problem(path.name, "field_type", f"{key} must be a list of {kind.__name__}",
                        column=key)
            )  # fmt: skip
            value = []
        lists[key] = tuple(value)
    texts = {}
    for key in ("title_en", "title_zh", "country"):
        value = raw.get(key, "")
        if not isinstance(value, str):
            problems.append(Problem(path.name, "field_type", f"{key} must be text", column=key))
            value = ""
        texts[key] = value
    if problems:
        raise DataError(problems)
    return PackageInfo(id=ident, **texts, **lists)


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
        if path.suffix == ".csv":
            years = textfile.csv_column(path, "year") or []
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
        from uniontrends.data.derive import add_derived

        return add_derived(self.annual, self.catalog)

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

    def _checked(self, kind: str, files: list[Path]) -> pd.DataFrame:
        catalog = self.root / CATALOG_FILE
        catalog_digest = sha256_file(catalog) if catalog.is_file() else ""
        digests = tuple(hash_files(files, self.root).items())
        return _validated(kind, self.root, digests, catalog_digest).copy()

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


@functools.lru_cache(maxsize=16)
def _validated(
    kind: str, root: Path, files: tuple[tuple[str, str], ...], catalog_digest: str
) -> pd.DataFrame:
    """The files (path under root, digest), each checked by the rules of its kind, concatenated.

    The digests are there for the cache key only, the catalog's too: the rules depend on it.
    An error is raised, never cached: a file with problems is read again next time.
    """
    import pandas as pd

    from uniontrends.data import validate
    from uniontrends.data.tables import read_table

    catalog = load_catalog(root)
    frames, problems = [], []
    for name, _digest in files:
        path = root / name
        try:
            if kind == "annual":
                frames.append(validate.check_annual(read_table(path), catalog, region=path.stem))
            else:
                frames.append(validate.check_reported(read_table(path), catalog))
        except DataError as error:
            problems += error.problems
    if problems:
        raise DataError(problems)
    if not frames:
        return validate.empty_annual() if kind == "annual" else validate.empty_reported()
    return pd.concat(frames, ignore_index=True)


def validate_package(root: Path | str) -> ValidationReport:
    """Validate the catalog, regions, annual and reported tables of a data folder.

    Args:
        root: the data package's folder.

    Returns:
        ValidationReport with rows per file, regions, indicator count, reported figures and
        every problem (never raises DataError).
    """
    from uniontrends.data.reference import tidy_reference
    from uniontrends.data.tables import read_table
    from uniontrends.data.validate import ValidationReport, check_annual, check_reported

    root = Path(root)
    report = ValidationReport(data_dir=root)
    if not root.is_dir():
        report.problems.append(Problem(str(root), "file_missing", "the data folder does not exist"))
        return report
    try:
        load_package_info(root)
        catalog = load_catalog(root)
        load_regions(root)
    except DataError as error:
        report.problems += error.problems
        return report
    report.indicators = len(catalog.indicators)
    regions: set[str] = set()
    for folder in (ANNUAL_DIR, REPORTED_DIR):
        for path in textfile.table_files(root / folder):
            label = f"{folder}/{path.name}"
            try:
                frame = read_table(path)
                label = f"{folder}/{frame.attrs['file']}"
                if folder == ANNUAL_DIR:
                    table = check_annual(frame, catalog, label, region=path.stem)
                else:
                    table = check_reported(frame, catalog, label)
            except DataError as error:
                report.problems += [
                    Problem(label, p.rule, p.message, p.row, p.column) if p.file == path.name else p
                    for p in error.problems
                ]
                continue
            report.files[f"{folder}/{path.name}"] = len(table)
            regions.update(table["region"])
            if folder == REPORTED_DIR:
                report.reported_figures += len(table)
    report.regions = sorted(regions)
    if (root / REFERENCE_DIR).is_dir():
        try:
            tidy_reference(root / REFERENCE_DIR)
        except DataError as error:
            report.problems += error.problems
    return report
