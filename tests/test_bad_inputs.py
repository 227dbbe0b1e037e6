"""The bad-input corpus (tests/bad_inputs/cases.yaml): each case fails fast and clearly."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook
from uniontrends import config
from uniontrends.data.catalog import load_catalog, parse_catalog
from uniontrends.data.model import ANNUAL_COLUMNS
from uniontrends.data.package import open_package
from uniontrends.data.tables import read_table
from uniontrends.data.validate import check_annual, check_reported
from uniontrends.errors import UniontrendsError
from uniontrends.notebook.params import check_parameters, parse_region_spec, parse_year_spec

CORPUS = Path(__file__).parent / "bad_inputs"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text("utf-8"))["cases"]
_ROW = "putuo,2018,disputes_mediated,250,exact,cases,test fixture,official_annual\n"


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """Import and build once (catalog, pandera) so the 1 s limit times the checks, not imports."""
    path = CORPUS / "annual_unit_wanyuan.csv"
    with pytest.raises(UniontrendsError):
        check_annual(read_table(path), load_catalog(config.DATA_DIR))


def _generate(kind: str, path: Path) -> None:
    """Build the cases that are binary or too large to commit."""
    header = ",".join(ANNUAL_COLUMNS) + "\n"
    if kind == "undecodable":
        path.write_bytes(header.encode() + bytes(range(0x80, 0x100)) * 4)
    elif kind == "merged_header":
        book = Workbook()
        sheet = book.active
        sheet.title = "putuo"
        sheet.append(["region and year", None, *ANNUAL_COLUMNS[2:]])
        sheet.merge_cells("A1:B1")
        sheet.append(_ROW.strip().split(","))
        book.save(path)
    elif kind == "huge_bytes":
        # 1e6 annual rows: ~75 MB, past the byte limit, so nothing is parsed.
        path.write_text(header + _ROW * 1_000_000, encoding="utf-8")
    elif kind == "huge_rows":
        # 1e6 short rows under the byte limit: the row limit stops parsing at 200,001 rows.
        path.write_text(header + "p,1,i,1,e,c,s,x\n" * 1_000_000, encoding="utf-8")
    elif kind == "xlsx_bad_region":
        book = Workbook()
        sheet = book.active
        sheet.append(list(ANNUAL_COLUMNS))
        sheet.append(["putuo", 2018, "disputes_mediated", 250, "exact", "cases", "s", "synthetic"])
        sheet.append(["../etc", 2019, "disputes_mediated", 260, "exact", "cases", "s", "synthetic"])
        book.save(path)
    else:
        raise AssertionError(f"unknown generator {kind!r}")


def _run(case: dict[str, Any], path: Path) -> None:
    kind = case["kind"]
    if kind == "annual":
        check_annual(read_table(path), load_catalog(config.DATA_DIR))
    elif kind == "reported":
        check_reported(read_table(path), load_catalog(config.DATA_DIR))
    elif kind == "catalog":
        parse_catalog(yaml.safe_load(path.read_text("utf-8")), name=path.name)
    elif kind == "params":
        params = yaml.safe_load(path.read_text("utf-8"))
        if "year_spec" in params:
            parse_year_spec(params["year_spec"])
        elif "region_spec" in params:
            parse_region_spec(params["region_spec"], open_package(config.DATA_DIR))
        else:
            args = {"region": "putuo", "year": 2022, "window": 5, "lang": "en"} | params
            check_parameters(open_package(config.DATA_DIR), **args)
    else:
        raise AssertionError(f"unknown kind {kind!r}")


def test_corpus_is_large_and_complete() -> None:
    assert len(CASES) >= 40
    names = [case["file"] for case in CASES]
    assert len(names) == len(set(names))
    committed = {p.name for p in CORPUS.iterdir() if p.name != "cases.yaml"}
    listed = {case["file"] for case in CASES if "generate" not in case}
    assert committed == listed, "every committed file is a listed case and vice versa"


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_input(case: dict[str, Any], tmp_path: Path) -> None:
    if "generate" in case:
        path = tmp_path / case["file"]
        _generate(case["generate"], path)
    else:
        path = CORPUS / case["file"]
    started = time.perf_counter()
    with pytest.raises(UniontrendsError) as caught:
        _run(case, path)
    elapsed = time.perf_counter() - started
    message = str(caught.value)
    for expected in case["expect"]:
        assert expected in message, f"{expected!r} not in:\n{message}"
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
