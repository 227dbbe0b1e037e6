"""`uniontrends run` end to end on fixture notebooks: output, cache, bad input, failures."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
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
    assert "putuo 2022 en 00_count" in first.output and "no previous result" in first.output
    folder = paths["out"] / "putuo" / "putuo" / "2022" / "en"
    pdf = ["90_report.pdf"] if find_chromium() else []  # the registry's report is printed
    assert _files(folder) == [
        "00_count.html", "00_count.ipynb", "00_count/findings.json",
        "01_lang.html", "01_lang.ipynb", "01_lang/findings.json",
        "90_report.html", "90_report.ipynb", *pdf, "90_report/findings.json",
        "edition.json", "manifest.json",
    ]  # fmt: skip
    second = _invoke(paths, "--region", "putuo,dinghai", "--year", "2022")
    assert second.exit_code == 0
    assert "0 ran, 6 cached" in second.output
    assert "putuo 2022 en: skipped all 3 notebooks" in second.output
    assert "data, library, packages, options and products unchanged" in second.output
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


def test_failure_is_summarised_and_the_edition_is_not_published(paths):
    result = _invoke(paths, "--lang", "zh")
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    kept = paths["out"] / "_failed" / "putuo" / "putuo" / "2022" / "zh"
    assert (
        "putuo 2022 zh 01_lang cell 5: error: NotImplementedError: fixture has no Chinese text "
        f"for this notebook (executed notebook: {kept / '01_lang.ipynb'})"
    ) in out
    assert (kept / "01_lang.ipynb").is_file()
    assert "1 ran, 0 cached, 1 failed" in out and "1 not published" in out
    assert "90_report skipped" in out and "(not run: 01_lang failed)" in out
    assert (
        f"putuo 2022 zh: not published; kept: nothing published yet; the attempt is in {kept}"
        in out
    )
    # Whole or nothing: no edition, not even the notebook that succeeded.
    assert not (paths["out"] / "putuo" / "putuo" / "2022" / "zh").exists()
    assert (kept / "00_count" / "findings.json").is_file()


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


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--lock-timeout", "-1", "parameter lock_timeout=-1.0: must be 0 and at most"),
        ("--lock-timeout", "inf", "parameter lock_timeout=inf"),
        ("--lock-timeout", "nan", "parameter lock_timeout=nan"),
        ("--timeout", "0", "parameter timeout=0.0: must be more than 0"),
        ("--timeout", "-5", "parameter timeout=-5.0"),
    ],
)
def test_every_wait_has_a_bound(paths, option, value, message):
    started = time.monotonic()
    result = _invoke(paths, option, value)
    assert result.exit_code == 2 and message in result.output, result.output
    assert "every wait has a bound" in result.output
    assert time.monotonic() - started < 5 and not paths["out"].exists()


def test_an_unreachable_scheduler_is_a_clear_error_within_10_s(paths):
    started = time.monotonic()
    result = _invoke(paths, "--scheduler", "tcp://127.0.0.1:1")
    took = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.output
    assert "dask scheduler" in result.output and "Traceback" not in result.output
    assert took < 10, f"{took:.1f} s"
    assert kernels.shutdown_all() == 0  # none launched for a cluster run


def test_an_unknown_scheduler_is_refused_before_anything_runs(paths):
    result = _invoke(paths, "--scheduler", "elsewhere")
    assert result.exit_code == 2 and "use 'local'" in result.output
    assert not paths["out"].exists()


def test_untrusted_error_text_is_printed_as_text_not_rich_markup(paths, tmp_path):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(paths["nbs"], notebooks)
    nb = nbformat.read(notebooks / "01_lang.ipynb", as_version=4)
    nb.cells[
        3
    ].source = 'raise ValueError("[/red] [bold]not bold[/bold] [link=file:///etc]x[/link]")'
    nbformat.write(nb, notebooks / "01_lang.ipynb")
    result = _invoke({**paths, "nbs": notebooks})
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "ValueError: [/red] [bold]not bold[/bold] [link=file:///etc]x[/link]" in out
    assert "Failures:" in out and "putuo 2022 en: not published" in out
