"""Random inputs (bytes, tidy tables, YAML) get "ok" or a clear error: never a traceback.

Every example is answered within the bounds of the bad-input rules (10 s, 500 MB): hypothesis'
deadline holds the time per example and tracemalloc its peak memory.
"""

from __future__ import annotations

import csv
import io
import shutil
import tracemalloc
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from uniontrends import config
from uniontrends.data.catalog import load_catalog
from uniontrends.data.model import ANNUAL_COLUMNS, ANNUAL_OPTIONAL_COLUMNS
from uniontrends.data.package import validate_package
from uniontrends.data.tables import read_table
from uniontrends.data.validate import check_annual
from uniontrends.errors import DataError
from uniontrends.findings.record import read_findings

CATALOG = load_catalog(config.DATA_DIR)
SETTINGS = settings(
    max_examples=10,
    deadline=10_000,  # ms: the time bound of every input
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples every run: a failure is reproducible
)
# Cells a user (or an attacker) writes: valid values, near misses and junk.
TOKENS = {
    "region": ["putuo", "dinghai", "../x", "Putuo", "", "p\n", "a" * 50],
    "year": ["2018", "2019", "2020", "20x", "1900", "", "2020年", "2018.0"],
    "indicator": ["disputes_mediated", "union_members", "employees", "app_satisfaction",
                  "bogus", ""],
    "value": ["250", "1.200", "3.5万", "1200余", "-", "", "NaN", "-1", "1e400", "0.5", "1,200",
              "12万余余", "=1+1", "三千"],
    "qualifier": ["exact", "at_least", "approx", "missing", "", "atleast"],
    "unit": ["cases", "persons", "share", "万元", "", "people"],
    "source": ["s", "=cmd|' /C calc'!A0", "synthetic data", "", "年报"],
    "provenance": ["official_annual", "synthetic", "reported", "reference", "", "x"],
    "missing_reason": ["", "not compiled", "@x"],
    "sample_size": ["", "400", "0", "x"],
    "design_effect": ["", "1.5", "0.5"],
}  # fmt: skip


def _cell(column: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(TOKENS[column]), st.text(max_size=12))


@st.composite
def tidy_tables(draw: st.DrawFn) -> list[list[str]]:
    """A header (required columns, maybe optional or unknown ones, maybe one missing) and rows."""
    columns = list(ANNUAL_COLUMNS)
    if draw(st.booleans()):
        columns += draw(st.lists(st.sampled_from(ANNUAL_OPTIONAL_COLUMNS), unique=True))
    if draw(st.integers(0, 9)) == 0:
        columns.remove(draw(st.sampled_from(ANNUAL_COLUMNS)))
    if draw(st.integers(0, 9)) == 0:
        columns.append(draw(st.text(min_size=1, max_size=8)))
    rows = draw(
        st.lists(
            st.tuples(*[_cell(c) if c in TOKENS else st.text(max_size=5) for c in columns]),
            max_size=12,
        )
    )
    return [columns, *[list(r) for r in rows]]


def _csv_text(table: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return buffer.getvalue()


def _package(folder: Path) -> Path:
    """A package with the bundled catalog (copied once: the parsed catalog stays cached)."""
    (folder / "annual").mkdir(parents=True, exist_ok=True)
    if not (folder / "indicators.yaml").is_file():
        shutil.copy2(config.DATA_DIR / "indicators.yaml", folder / "indicators.yaml")
    return folder


MEMORY_BOUND = 500 * 2**20


def _answer(check: object) -> None:
    """Run a check: ok or a DataError whose every problem names a file and a rule."""
    tracemalloc.start()
    try:
        check()  # type: ignore[operator]
    except DataError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file and problem.rule and problem.message
    finally:
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.0f} MB"


@settings(SETTINGS, max_examples=12)
@given(data=st.binary(max_size=3000))
def test_random_bytes_as_a_table_yaml_or_findings_file(tmp_path: Path, data: bytes) -> None:
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"putuo{suffix}"
        path.write_bytes(data)
        _answer(lambda path=path: check_annual(read_table(path), CATALOG))
    for name in ("indicators.yaml", "regions.yaml", "package.yaml"):
        folder = _package(tmp_path / name.replace(".", "_"))
        (folder / name).write_bytes(data)
        report = validate_package(folder)  # never raises
        assert all(p.file and p.rule for p in report.problems)
    findings = tmp_path / "findings.json"
    findings.write_bytes(data)
    _answer(lambda: read_findings(findings))


@SETTINGS
@given(table=tidy_tables())
def test_random_tidy_tables_as_csv_and_in_a_package(tmp_path: Path, table: list[list[str]]):
    folder = _package(tmp_path / "pkg")
    path = folder / "annual" / "putuo.csv"
    path.write_text(_csv_text(table), encoding="utf-8")
    reports = []
    _answer(lambda: reports.append(validate_package(folder)))  # never raises
    assert all(p.file and p.rule for p in reports[0].problems)
    assert list(reports[0].files) == ["annual/putuo.csv"]  # counted, valid or not


@settings(SETTINGS, max_examples=6)
@given(table=tidy_tables())
def test_random_tidy_tables_as_xlsx(tmp_path: Path, table: list[list[str]]) -> None:
    book = Workbook()
    for row in table:
        # openpyxl refuses control characters a workbook cannot hold; those are not inputs
        book.active.append(["".join(ch for ch in c if ch >= " " or ch in "\t\n") for c in row])
    path = tmp_path / "putuo.xlsx"
    book.save(path)
    _answer(lambda: check_annual(read_table(path), CATALOG))


@SETTINGS
@given(text=st.text(max_size=400))
def test_random_yaml_text_as_a_catalog(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir(exist_ok=True)
    (folder / "indicators.yaml").write_text(text, encoding="utf-8")
    _answer(lambda: load_catalog(folder))
