"""Shared fixtures: the bundled data package, its catalog, the bundled suite run once, and
running the report's notebooks through the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from factories import make_finding
from hostile import HostilePackage, write_hostile_package
from uniontrends import config
from uniontrends.data.catalog import Catalog
from uniontrends.data.package import DataPackage, open_package
from uniontrends.findings.record import write_findings
from uniontrends.present.layout import edition_paths

# The second bundled example: real OECD series of the Netherlands, no synthetic row.
EXAMPLE_DIR = config.PROJ_ROOT / "examples" / "oecd-netherlands"

# The report gathers the findings of the notebooks that ran; disputes are enough to show a
# change between editions and to check the page, so tests skip the other notebooks.
REPORT_NOTEBOOKS = ("02_dispute_resolution", "90_annual_report")


def _run_suite(data_dir: Path, outputs: Path, region: str, year: int, lang: str = "en") -> Path:
    notebooks = outputs.parent / "notebooks"
    notebooks.mkdir(exist_ok=True)
    for name in REPORT_NOTEBOOKS:
        shutil.copy2(config.NOTEBOOKS_DIR / f"{name}.ipynb", notebooks)
    shutil.copy2(
        config.NOTEBOOKS_DIR / "registry.yaml", notebooks
    )  # the report needs what is there
    cmd = [
        str(Path(sys.executable).with_name("uniontrends")), "run", "--region", region,
        "--year", str(year), "--lang", lang, "--data-dir", str(data_dir),
        "--outputs-dir", str(outputs), "--notebooks-dir", str(notebooks),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout}\n{done.stderr}"
    first = region.split(",")[0]
    return edition_paths(outputs, open_package(data_dir).info.id, first, year, lang).dest


@pytest.fixture(scope="session")
def run_report() -> Callable[..., Path]:
    """`uniontrends run` of the report's notebooks: (data_dir, outputs, region, year, lang)
    -> the edition's folder outputs/<package>/<region>/<year>/<lang>."""
    return _run_suite


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from this run's findings (after a deliberate method change)",
    )


def _built_once(tmp_path_factory: pytest.TempPathFactory, suite: str) -> None:
    """Fail when a second xdist worker starts to build the same suite: its tests were not
    grouped on one worker (``--dist loadgroup`` silently stops grouping when pytest-xdist
    cannot rename test ids, as with pytest 9 and pytest-xdist 3.8), and the suite would run
    twice."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return
    shared = tmp_path_factory.getbasetemp().parent  # one folder per session, shared by workers
    try:
        with open(shared / f"{suite}.built-by", "x", encoding="utf-8") as mark:
            mark.write(worker)
    except FileExistsError:
        other = (shared / f"{suite}.built-by").read_text(encoding="utf-8")
        pytest.fail(
            f"{suite} is built on {other} and {worker}: its tests were not grouped on "
            "one worker (check the pytest / pytest-xdist versions in pyproject.toml)"
        )


@pytest.fixture(scope="session")
def bundled_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every notebook for every bundled region in 2022 (English), run once per test session
    through the project's own warm runner; returns the bundled package's folder of outputs
    (``outputs/putuo``: its editions are ``<region>/<year>/<lang>/``)."""
    from uniontrends.run import runner

    _built_once(tmp_path_factory, "bundled_suite")
    outputs = tmp_path_factory.mktemp("bundled") / "outputs"
    summary = runner.run(["putuo", "dinghai", "daishan"], [2022], n_jobs=2, outputs_dir=outputs)
    assert summary.ok, runner.failure_lines(summary)
    return outputs / open_package(config.DATA_DIR).info.id


@pytest.fixture(scope="session")
def example_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole suite run once per session on the second bundled example (nld 2018) through
    the warm runner; returns the region-year folder (found by its report, whatever the
    outputs layout)."""
    from uniontrends.run import runner

    _built_once(tmp_path_factory, "example_suite")
    outputs = tmp_path_factory.mktemp("example") / "outputs"
    summary = runner.run(["nld"], [2018], data_dir=EXAMPLE_DIR, outputs_dir=outputs, n_jobs=2)
    assert summary.ok, runner.failure_lines(summary)
    return next(outputs.rglob("90_annual_report.html")).parent


@pytest.fixture(scope="session")
def zh_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The report's notebooks in Chinese for putuo (real published figures) and dinghai
    (illustrative), one CLI run per session; returns {region: its edition's folder}."""
    _built_once(tmp_path_factory, "zh_reports")
    root = tmp_path_factory.mktemp("zh")
    data_dir = Path(shutil.copytree(config.DATA_DIR, root / "data"))
    regions = ("putuo", "dinghai")
    _run_suite(data_dir, root / "outputs", ",".join(regions), 2022, lang="zh")
    package_id = open_package(data_dir).info.id
    return {r: edition_paths(root / "outputs", package_id, r, 2022, "zh").dest for r in regions}


@pytest.fixture(scope="session")
def package() -> DataPackage:
    """The bundled data package (data/), opened once."""
    return open_package(config.DATA_DIR)


@pytest.fixture(scope="session")
def catalog(package: DataPackage) -> Catalog:
    """The bundled indicator catalog."""
    return package.catalog


@dataclass(frozen=True)
class HostileRun:
    """`uniontrends run` of the whole suite on the hostile package (tests/hostile.py)."""

    package: HostilePackage
    outputs: Path  # the outputs root
    edition: Path  # outputs/<package>/putuo/2022/en
    previous: Path  # outputs/<package>/putuo/2021/en, planted before the run
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def hostile_suite(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    """Every notebook for putuo 2022 on the hostile package, run once per session through the
    CLI; a previous edition holding a hostile finding makes the report list what changed."""
    _built_once(tmp_path_factory, "hostile_suite")
    root = tmp_path_factory.mktemp("hostile")
    package = write_hostile_package(config.DATA_DIR, root)
    outputs = root / "outputs"
    package_id = open_package(package.data_dir).info.id
    edition = edition_paths(outputs, package_id, "putuo", 2022, "en").dest
    previous = edition_paths(outputs, package_id, "putuo", 2021, "en").dest
    gone = make_finding(
        "gone_indicator", id="putuo.gone_indicator.trend", area="disputes",
        statement_en=package.strings(("img_onerror", "rich_markup", "markdown_javascript_link")),
        statement_zh=package.strings(("iframe_file", "control_characters")),
    )  # fmt: skip
    write_findings([gone], previous / "02_dispute_resolution")
    cmd = [
        str(Path(sys.executable).with_name("uniontrends")), "run", "--region", "putuo",
        "--year", "2022", "--data-dir", str(package.data_dir), "--outputs-dir", str(outputs),
        "--notebooks-dir", str(config.NOTEBOOKS_DIR),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    return HostileRun(package, outputs, edition, previous,
                      done.returncode, done.stdout, done.stderr)  # fmt: skip


# Session fixtures that run a whole suite: with pytest-xdist (`make test` runs two workers),
# every test using one of them goes to its group's worker, so each suite still runs once. A
# test uses at most one group (the browser test reads both editions, so both share one).
_SUITE_GROUPS = {
    "bundled_suite": "bundled",
    "zh_reports": "bundled",
    "example_suite": "example",
    "hostile_suite": "hostile",
}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups into the test ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = getattr(item, "fixturenames", ())
        group = next((g for f, g in _SUITE_GROUPS.items() if f in used), None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ARG001
    """In CI (CI=true) a skipped browser test fails: .ci/run installs Chromium, so a skip
    there means the browser check silently did not happen."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and "browser" in item.keywords and os.environ.get("CI") == "true":
        report.outcome = "failed"
        report.longrepr = f"browser test skipped in CI: {report.longrepr}"
