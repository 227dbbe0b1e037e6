"""`uniontrends run` end to end on fixture notebooks: output, cache, bad input, failures."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner
from uniontrends import config
from uniontrends.cli import app
from uniontrends.present.pdf import find_chromium
from uniontrends.run import kernels

pytestmark = pytest.mark.kernels

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


@pytest.fixture()
def paths(tmp_path: Path) -> dict[str, Path]:
    data = tmp_path / "data"
    shutil.copytree(config.PROJ_ROOT / "data", data)
    return {"data": data, "out": tmp_path / "out", "nbs": FIXTURES / "suite"}


def _invoke(paths: dict[str, Path], *args: str):
    argv = ["run", "--data-dir", str(paths["data"]), "--notebooks-dir", str(paths["nbs"]),
            "--outputs-dir", str(paths["out"]), *args]  # fmt: skip
    return CliRunner().invoke(app, argv, catch_exceptions=False, terminal_width=200)


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_run_then_rerun_skips_and_says_why(paths):
    first = _invoke(paths, "--region", "putuo,dinghai", "--year", "2022", "--jobs", "2")
    assert first.exit_code == 0, first.output
    assert "6 ran, 0 cached, 0 failed" in first.output
    assert "putuo 2022 00_count" in first.output and "no previous result" in first.output
    folder = paths["out"] / "putuo" / "2022"
    pdf = ["90_report.pdf"] if find_chromium() else []  # the registry's report is printed
    assert _files(folder) == [
        "00_count.html", "00_count.ipynb", "00_count/findings.json",
        "01_lang.html", "01_lang.ipynb", "01_lang/findings.json",
        "90_report.html", "90_report.ipynb", *pdf, "90_report/findings.json",
        "manifest.json",
    ]  # fmt: skip
    second = _invoke(paths, "--region", "putuo,dinghai", "--year", "2022")
    assert second.exit_code == 0
    assert "0 ran, 6 cached" in second.output
    assert "putuo 2022: skipped all 3 notebooks" in second.output
    assert "data, library and packages unchanged" in second.output
    # A cached run is quick because it reads and hashes files only: no pandas, no kernel.
    argv = ["run", "--data-dir", str(paths["data"]), "--notebooks-dir", str(paths["nbs"]),
            "--outputs-dir", str(paths["out"]), "--region", "putuo,dinghai"]  # fmt: skip
    probe = (
        "import sys\nfrom uniontrends.cli import app\n"
        f"try:\n    app({argv!r})\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "print(sorted(m for m in ('pandas', 'matplotlib', 'jupyter_client') if m in sys.modules))"
    )
    third = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert third.returncode == 0, third.stderr
    assert third.stdout.strip().splitlines()[-1] == "[]"


def test_a_grid_over_early_years_says_which_windows_it_shortened(paths):
    result = _invoke(paths, "--region", "putuo", "--year", "2020-2022", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert "putuo 2020: window 2018-2020 (3 years, not 5): the region's data start in 2018" in (
        result.output
    )
    assert "putuo 2021: window 2018-2021 (4 years, not 5)" in result.output
    assert "putuo 2022: window" not in result.output
    assert "9 ran, 0 cached, 0 failed" in result.output


def test_failure_is_summarised_and_others_continue(paths):
    result = _invoke(paths, "--lang", "zh")
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    failed = paths["out"] / "_failed" / "putuo" / "2022" / "01_lang.ipynb"
    assert (
        "putuo 2022 01_lang cell 5: error: NotImplementedError: fixture has no Chinese text "
        f"for this notebook (executed notebook: {failed})"
    ) in out
    assert failed.is_file()
    assert "2 ran, 0 cached, 1 failed" in out
    # The others were published; the failing notebook's products were not.
    folder = paths["out"] / "putuo" / "2022"
    assert (folder / "00_count" / "findings.json").is_file()
    assert (folder / "90_report" / "findings.json").is_file()
    assert not (folder / "01_lang").exists()


def test_bad_parameter_writes_nothing(paths):
    result = _invoke(paths, "--year", "2030")
    assert result.exit_code != 0
    assert "parameter year=2030" in result.output and "2018-2022" in result.output
    assert not paths["out"].exists()


def test_bad_data_named_by_file_row_column_and_nothing_written(paths):
    csv = paths["data"] / "annual" / "putuo.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("value")] = "lots"
    lines[1] = ",".join(cells)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _invoke(paths, "--jobs", "2")
    assert result.exit_code != 0
    assert "putuo.csv, row 2, column 'value'" in result.output
    assert not paths["out"].exists()
    # The kernels launched while the data were checked were stopped again.
    assert kernels.shutdown_all() == 0
