"""The bad-input corpus (tests/bad_inputs/cases.yaml): each case fails fast and clearly.

Cases marked ``bounded`` are the resource attacks (a workbook that lies about its size, a
300 MB cell, a huge CSV cell, a million rows): they run once, in a child process whose peak
memory is measured, each within ``BOUND_SECONDS`` and the whole process within
``BOUND_MEGABYTES``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook
from uniontrends import config
from uniontrends.data.catalog import load_catalog, parse_catalog
from uniontrends.data.model import ANNUAL_COLUMNS
from uniontrends.data.package import load_package_info, open_package, validate_package
from uniontrends.data.regions import load_regions
from uniontrends.data.tables import read_table
from uniontrends.data.validate import check_annual, check_reported
from uniontrends.data.yamlfile import read_yaml
from uniontrends.errors import DataError, UniontrendsError
from uniontrends.findings.record import read_findings
from uniontrends.notebook.params import check_parameters, parse_region_spec, parse_year_spec

CORPUS = Path(__file__).parent / "bad_inputs"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text("utf-8"))["cases"]
QUICK = [c for c in CASES if not c.get("bounded")]
BOUNDED = [c for c in CASES if c.get("bounded")]
BOUND_SECONDS = 10.0
BOUND_MEGABYTES = 500
_ROW = "putuo,2018,disputes_mediated,250,exact,cases,test fixture,official_annual\n"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """Import and build once (catalog, pandera) so the 1 s limit times the checks, not imports."""
    path = CORPUS / "annual_unit_wanyuan.csv"
    with pytest.raises(UniontrendsError):
        check_annual(read_table(path), load_catalog(config.DATA_DIR))


# ---- generated inputs ---------------------------------------------------------------------


def _raw_xlsx(path: Path, sheet: Iterator[bytes], strings: Iterator[bytes] | None = None) -> None:
    """A workbook written part by part, so a part may hold what no spreadsheet program writes
    (a false dimension, a 300 MB cell) without building it in memory."""
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    rels = (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets><sheet name="putuo" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    )
    book_rels = (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC}/worksheet" '
        'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="'
        f'{_DOC}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in (
            ("[Content_Types].xml", types),
            ("_rels/.rels", rels),
            ("xl/workbook.xml", book),
            ("xl/_rels/workbook.xml.rels", book_rels),
        ):
            archive.writestr(name, text)  # fmt: skip
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            for chunk in sheet:
                part.write(chunk)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            for chunk in strings or iter([f'<sst xmlns="{_MAIN}"/>'.encode()]):
                part.write(chunk)


def _sheet(rows: Iterator[bytes], dimension: str = "A1:H10") -> Iterator[bytes]:
    yield f'<worksheet xmlns="{_MAIN}"><dimension ref="{dimension}"/><sheetData>'.encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def _header_row() -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in ANNUAL_COLUMNS)
    return f"<row>{cells}</row>".encode()


def _million_rows() -> Iterator[bytes]:
    """1,000,000 data rows of 8 numbers under a dimension that claims ten rows."""
    yield _header_row()
    block = b"<row>" + b"<c><v>1</v></c>" * 8 + b"</row>"
    for _ in range(100):
        yield block * 10_000


def _huge_cell_strings(megabytes: int) -> Iterator[bytes]:
    yield f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
    for _ in range(megabytes):
        yield b"A" * 2**20
    yield b"</t></si></sst>"


def _openpyxl_book(path: Path, hide_first: bool = False) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "putuo"
    sheet.append(list(ANNUAL_COLUMNS))
    sheet.append(_ROW.strip().split(","))
    if hide_first:
        visible = book.create_sheet("visible")
        visible.append(list(ANNUAL_COLUMNS))
        visible.append(_ROW.strip().replace("250", "999").split(","))
        sheet.sheet_state = "hidden"
        book.active = 1
    book.save(path)


def _package(path: Path) -> Path:
    """A copy of the bundled package's catalog, regions and Putuo's annual table."""
    for name in ("indicators.yaml", "regions.yaml"):
        shutil.copy(config.DATA_DIR / name, path / name)
    (path / "annual").mkdir()
    shutil.copy(config.DATA_DIR / "annual" / "putuo.csv", path / "annual" / "putuo.csv")
    return path


def _generate(kind: str, path: Path) -> Path:
    """Build the cases that are binary, large or folders; returns the path to check."""
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
    elif kind == "huge_csv_cell":
        path.write_text(header + _ROW.replace("test fixture", "x" * 40_000_000), "utf-8")
    elif kind == "xlsx_bad_region":
        book = Workbook()
        sheet = book.active
        sheet.append(list(ANNUAL_COLUMNS))
        sheet.append(["putuo", 2018, "disputes_mediated", 250, "exact", "cases", "s", "synthetic"])
        sheet.append(["../etc", 2019, "disputes_mediated", 260, "exact", "cases", "s", "synthetic"])
        book.save(path)
    elif kind == "xlsx_hidden_first_sheet":
        _openpyxl_book(path, hide_first=True)
    elif kind == "xlsx_truncated":
        _openpyxl_book(path)
        path.write_bytes(path.read_bytes()[:1500])
    elif kind == "xlsx_corrupt_member":
        _openpyxl_book(path)
        data = bytearray(path.read_bytes())
        data[200:400] = bytes(200)  # inside the first part's compressed data
        path.write_bytes(bytes(data))
    elif kind == "xlsx_encrypted":
        # What Excel writes for a password-protected workbook: an OLE compound file.
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptedPackage")
    elif kind == "xlsx_dimension_lie":
        _raw_xlsx(path, _sheet(_million_rows()))
    elif kind == "xlsx_many_cells":
        rows = (b"<row><c><v>1</v></c></row>" * 1000 for _ in range(300))
        _raw_xlsx(path, _sheet(rows, "A1:A3"))
    elif kind == "xlsx_huge_cell":
        rows = iter([_header_row(), b'<row><c t="s"><v>0</v></c></row>'])
        _raw_xlsx(path, _sheet(rows), _huge_cell_strings(300))
    elif kind == "xlsx_large_cell":
        rows = iter([_header_row(), b'<row><c t="s"><v>0</v></c></row>'])
        _raw_xlsx(path, _sheet(rows), iter([next(_huge_cell_strings(0)), b"A" * 20_000,
                                            b"</t></si></sst>"]))  # fmt: skip
    elif kind == "xlsx_far_column":
        rows = iter([_header_row(), b'<row r="2"><c r="XFD2"><v>1</v></c></row>'])
        _raw_xlsx(path, _sheet(rows))
    elif kind == "findings_binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif kind == "package_two_files":
        package = _package(path)
        book = Workbook()
        for row in [list(ANNUAL_COLUMNS), _ROW.strip().replace("250", "999").split(",")]:
            book.active.append(row)
        book.save(package / "annual" / "putuo.xlsx")
    elif kind == "package_compare_unknown":
        (_package(path) / "package.yaml").write_text("compare_with: [putuo, zhoushan]\n", "utf-8")
    elif kind == "package_encoding_missing_file":
        text = "encodings: {annual/dinghai.csv: cp1252}\n"
        (_package(path) / "package.yaml").write_text(text, "utf-8")
    elif kind == "package_file_name":
        package = _package(path)
        (package / "annual" / "putuo.csv").rename(package / "annual" / "Putuo Data.csv")
    elif kind == "add_year_unknown_region":
        from uniontrends.cycle.template import write_template

        write_template(open_package(config.DATA_DIR), "putuo", 2023, path)
        book = load_workbook(path)
        sheet = book["data"]
        column = [c.column for c in sheet[1] if str(c.value).endswith("[region]")][0]
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, column).value = "putou"
        book.save(path)
    else:
        raise AssertionError(f"unknown generator {kind!r}")
    return path


def _run(case: dict[str, Any], path: Path, tmp_path: Path) -> None:
    kind = case["kind"]
    catalog = load_catalog(config.DATA_DIR)
    if kind == "annual":
        check_annual(read_table(path), catalog)
    elif kind == "reported":
        check_reported(read_table(path), catalog)
    elif kind == "catalog":
        parse_catalog(read_yaml(path), name=path.name)
    elif kind in ("regions", "package_yaml"):
        folder = tmp_path / "package"
        folder.mkdir(exist_ok=True)
        target = folder / ("regions.yaml" if kind == "regions" else "package.yaml")
        shutil.copy(path, target)
        load_regions(folder) if kind == "regions" else load_package_info(folder)
    elif kind == "package":
        report = validate_package(path)
        if not report.ok:
            raise DataError(report.problems)
    elif kind == "findings":
        read_findings(path)
    elif kind == "add_year":
        from uniontrends.cycle.add_year import plan_add_year

        plan_add_year(path, open_package(config.DATA_DIR))
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


def _path_of(case: dict[str, Any], tmp_path: Path) -> Path:
    if "generate" not in case:
        return CORPUS / case["file"]
    path = tmp_path / case["file"]
    if case["kind"] == "package":
        path.mkdir()
    return _generate(case["generate"], path)


def _check_message(case: dict[str, Any], message: str) -> None:
    for expected in case["expect"]:
        assert expected in message, f"{case['file']}: {expected!r} not in:\n{message}"
    assert "Traceback" not in message


def test_corpus_is_large_and_complete() -> None:
    assert len(CASES) >= 90
    names = [case["file"] for case in CASES]
    assert len(names) == len(set(names))
    committed = {p.name for p in CORPUS.iterdir() if p.name != "cases.yaml"}
    listed = {case["file"] for case in CASES if "generate" not in case}
    assert committed == listed, "every committed file is a listed case and vice versa"


@pytest.mark.parametrize("case", QUICK, ids=[c["file"] for c in QUICK])
def test_bad_input(case: dict[str, Any], tmp_path: Path) -> None:
    path = _path_of(case, tmp_path)
    started = time.perf_counter()
    with pytest.raises(UniontrendsError) as caught:
        _run(case, path, tmp_path)
    elapsed = time.perf_counter() - started
    _check_message(case, str(caught.value))
    assert elapsed < 1.0, f"took {elapsed:.2f} s"


def _bounded_child(cases: list[dict[str, Any]], folder: Path) -> None:
    """In the child process: each case's message and seconds, then the peak memory (JSON).

    The inputs were generated by the parent, so the peak is what reading them costs.
    """
    import resource

    out = {}
    for case in cases:
        path = folder / case["file"]
        started = time.perf_counter()
        try:
            _run(case, path, folder)
            message = "accepted"
        except UniontrendsError as error:
            message = str(error)
        out[case["file"]] = {"seconds": time.perf_counter() - started, "message": message}
    print(json.dumps({"cases": out, "peak_mb": _own_peak_mb(resource)}))


def _own_peak_mb(resource) -> float:
    """This process's own peak memory. Linux keeps ru_maxrss across fork and exec, so a child
    of a grown pytest worker reports the worker's size; the kernel's VmHWM is the child's."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024
    except (OSError, TypeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def test_resource_attacks_answer_within_time_and_memory(tmp_path: Path) -> None:
    for case in BOUNDED:
        _path_of(case, tmp_path)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import test_bad_inputs as t; "
        "from pathlib import Path; t._bounded_child(t.BOUNDED, Path(sys.argv[2]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for case in BOUNDED:
        got = result["cases"][case["file"]]
        _check_message(case, got["message"])
        assert got["seconds"] < BOUND_SECONDS, f"{case['file']}: {got['seconds']:.1f} s"
    assert result["peak_mb"] < BOUND_MEGABYTES, f"peak {result['peak_mb']:.0f} MB"
