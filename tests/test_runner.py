"""The batch runner: cache hits and misses, manifest, stale clean-up, warm vs isolated, Dask."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from factories import add_to_registry
from uniontrends import config
from uniontrends.data.digests import sha256_file
from uniontrends.run import runner
from uniontrends.run.manifest import read_manifest

pytestmark = pytest.mark.kernels

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, Path]:
    """A private copy of the bundled data, the suite fixture notebooks and an outputs root."""
    data = tmp_path / "data"
    shutil.copytree(config.PROJ_ROOT / "data", data)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FIXTURES / "suite", notebooks)
    return {"data_dir": data, "notebooks_dir": notebooks, "outputs_dir": tmp_path / "out"}


def _run(env: dict[str, Path], regions=("putuo",), years=(2022,), **kw) -> runner.RunSummary:
    return runner.run(list(regions), list(years), validate=False, html=False, **env, **kw)


def _statuses(summary: runner.RunSummary) -> dict[tuple[str, int, str], str]:
    return {(r.region, r.year, n.notebook): n.status for r in summary.results for n in r.notebooks}


def _findings(out: Path, region: str, year: int) -> dict[str, object]:
    folder = out / region / str(year)
    return {
        p.parent.name: json.loads(p.read_text()) for p in sorted(folder.glob("*/findings.json"))
    }


def test_cache_hits_misses_and_force(env):
    first = _run(env, regions=("putuo", "dinghai"), n_jobs=2)
    assert first.ok and set(_statuses(first).values()) == {"ran"}
    assert len(_statuses(first)) == 6

    second = _run(env, regions=("putuo", "dinghai"), n_jobs=2)
    assert set(_statuses(second).values()) == {"cached"}
    assert [r.status for r in second.results] == ["unchanged", "unchanged"]

    # Editing Dinghai's table re-runs Dinghai only, and says which file changed.
    csv = env["data_dir"] / "annual" / "dinghai.csv"
    csv.write_text(csv.read_text() + "\n", encoding="utf-8")
    third = _run(env, regions=("putuo", "dinghai"), n_jobs=2)
    statuses = _statuses(third)
    assert {k: v for k, v in statuses.items() if k[0] == "putuo"} == {
        ("putuo", 2022, n): "cached" for n in ("00_count", "01_lang", "90_report")
    }
    assert {v for k, v in statuses.items() if k[0] == "dinghai"} == {"ran"}
    dinghai = read_manifest(env["outputs_dir"] / "dinghai" / "2022")
    assert dinghai["notebooks"]["00_count"]["reason"] == "data changed: annual/dinghai.csv"

    forced = _run(env, regions=("putuo",), force=True)
    assert set(_statuses(forced).values()) == {"ran"}


def test_report_reruns_when_upstream_reran(env):
    _run(env)
    nb_path = env["notebooks_dir"] / "00_count.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A new note."))
    nbformat.write(nb, nb_path)
    summary = _run(env)
    assert _statuses(summary) == {
        ("putuo", 2022, "00_count"): "ran",
        ("putuo", 2022, "01_lang"): "cached",
        ("putuo", 2022, "90_report"): "ran",
    }
    records = read_manifest(env["outputs_dir"] / "putuo" / "2022")["notebooks"]
    assert records["00_count"]["reason"] == "notebook changed"
    assert "upstream" in records["90_report"]["reason"]
    # The carried-over 01_lang products are the same bytes as before.
    assert (env["outputs_dir"] / "putuo" / "2022" / "01_lang" / "findings.json").is_file()


def test_manifest_records_what_the_run_depended_on(env):
    _run(env)
    folder = env["outputs_dir"] / "putuo" / "2022"
    man = read_manifest(folder)
    assert man["parameters"]["region"] == "putuo" and man["parameters"]["window"] == 5
    assert man["inputs"]["annual/putuo.csv"] == sha256_file(
        env["data_dir"] / "annual" / "putuo.csv"
    )
    assert "annual/dinghai.csv" not in man["inputs"]  # other regions' tables do not count
    for package in ("pandas", "statsmodels", "papermill", "nbconvert", "python", "uniontrends"):
        assert man["packages"][package]
    assert man["started"] <= man["finished"]
    for name in ("00_count", "01_lang", "90_report"):
        record = man["notebooks"][name]
        assert record["cache"] == "miss" and record["status"] == "ok"
        assert record["duration_s"] > 0 and len(record["key"]) == 64
    # The 00_count fixture sums the window's values: check against an independent pandas sum.
    import pandas as pd

    frame = pd.read_csv(env["data_dir"] / "annual" / "putuo.csv")
    expected = frame.loc[frame["year"].between(2018, 2022), "value"].sum()
    found = _findings(env["outputs_dir"], "putuo", 2022)
    assert found["00_count"][0]["value"] == pytest.approx(expected)
    assert found["90_report"][0]["value"] == 2  # the report gathered both upstream findings


def test_html_has_no_code(env):
    runner.run(["putuo"], [2022], validate=False, html=True, **env)
    html = (env["outputs_dir"] / "putuo" / "2022" / "00_count.html").read_text()
    assert "putuo-2022-total" in html  # the printed findings
    assert "csv.DictReader" not in html  # the code is left out


def test_clean_stale_restores_old_and_removes_tmp(tmp_path):
    region_dir = tmp_path / "putuo"
    old = region_dir / ".2022.old-1-abc"
    old.mkdir(parents=True)
    (old / "manifest.json").write_text("{}")
    (region_dir / ".2022.tmp-1-def").mkdir()
    (region_dir / ".2021.tmp-1-xyz").mkdir()  # another year: not ours to touch
    runner.clean_stale(tmp_path, "putuo", 2022)
    assert (region_dir / "2022" / "manifest.json").read_text() == "{}"
    assert sorted(p.name for p in region_dir.iterdir()) == [".2021.tmp-1-xyz", "2022"]


@pytest.mark.notebooks
def test_warm_and_isolated_kernels_give_identical_findings(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(config.PROJ_ROOT / "data", data)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("00_audit", "01_membership", "90_report", "registry"):  # a subset is faster
        shutil.copy(next((FIXTURES / "heavy").glob(f"{name}.*")), notebooks)
    common = dict(data_dir=data, notebooks_dir=notebooks, validate=False, html=False)
    warm = runner.run(["putuo"], [2022], outputs_dir=tmp_path / "warm", **common)
    isolated = runner.run(["putuo"], [2022], outputs_dir=tmp_path / "iso", isolate=True, **common)
    assert warm.ok and isolated.ok
    a, b = _findings(tmp_path / "warm", "putuo", 2022), _findings(tmp_path / "iso", "putuo", 2022)
    assert len(a) == 3 and a == b
    for name in ("00_audit", "01_membership"):
        png = tmp_path / "warm" / "putuo" / "2022" / name / "trend.png"
        assert (
            png.read_bytes()
            == (tmp_path / "iso" / "putuo" / "2022" / name / "trend.png").read_bytes()
        )


@pytest.mark.notebooks
def test_dask_local_cluster_matches_local_run(env):
    grid = {"regions": ("putuo", "dinghai"), "years": (2021, 2022), "window": 3, "n_jobs": 2}
    local = _run(env, **grid)
    dask_out = env["outputs_dir"].parent / "dask"
    # As many workers as region-years: only the dependency holds a 2022 back.
    on_dask = _run({**env, "outputs_dir": dask_out}, scheduler="local", **{**grid, "n_jobs": 4})
    assert local.ok and on_dask.ok
    assert set(_statuses(on_dask).values()) == {"ran"}
    for region in ("putuo", "dinghai"):
        for year in (2021, 2022):
            assert _findings(dask_out, region, year) == _findings(env["outputs_dir"], region, year)
    # The cluster ran each region's 2022 after its 2021, so nothing is left to do.
    again = _run({**env, "outputs_dir": dask_out}, **grid)
    assert set(_statuses(again).values()) == {"cached"}


def test_unreadable_notebook_fails_alone(env):
    (env["notebooks_dir"] / "05_broken.ipynb").write_text("not a notebook", encoding="utf-8")
    add_to_registry(env["notebooks_dir"], "05_broken")
    summary = _run(env)
    statuses = _statuses(summary)
    assert statuses[("putuo", 2022, "05_broken")] == "failed"
    assert statuses[("putuo", 2022, "00_count")] == statuses[("putuo", 2022, "90_report")] == "ran"
    (failure,) = summary.results[0].failures
    assert failure.kind == "runner error" and failure.error.startswith("NotJSONError")
    assert runner.failure_lines(summary)[0].startswith("putuo 2022 05_broken cell ?: runner error")


def test_spare_slots_run_one_region_year_in_parallel_with_same_findings(env):
    serial = _run(env)
    parallel_out = env["outputs_dir"].parent / "parallel"
    parallel = runner.run(
        ["putuo"], [2022], validate=False, html=False, n_jobs=2,
        **{**env, "outputs_dir": parallel_out},
    )  # fmt: skip
    assert serial.ok and parallel.ok
    assert [n.notebook for n in parallel.results[0].notebooks] == [
        "00_count",
        "01_lang",
        "90_report",
    ]
    assert _findings(parallel_out, "putuo", 2022) == _findings(env["outputs_dir"], "putuo", 2022)


def test_region_years_share_the_runs_kernels_and_give_the_findings_of_a_serial_run(
    env, monkeypatch
):
    from uniontrends.run import execution

    regions = ("putuo", "dinghai", "daishan")
    serial = _run(env, regions=regions)
    real_execute = execution.execute
    spans: list[tuple[int, float, float]] = []

    def timed_execute(nb, kernel, **kw):
        started = time.perf_counter()
        try:
            return real_execute(nb, kernel, **kw)
        finally:
            spans.append((id(kernel), started, time.perf_counter()))

    monkeypatch.setattr(execution, "execute", timed_execute)
    shared_out = env["outputs_dir"].parent / "shared"
    shared = _run({**env, "outputs_dir": shared_out}, regions=regions, n_jobs=2)
    assert serial.ok and shared.ok and len(spans) == 9
    # Never more notebooks at once, nor more kernels, than --jobs; all of them warm and reused.
    at_once = max(sum(a <= t < b for _, a, b in spans) for _, t, _ in spans)
    assert at_once <= 2 and len({kernel for kernel, _, _ in spans}) <= 2
    for region in regions:
        assert _findings(shared_out, region, 2022) == _findings(env["outputs_dir"], region, 2022)


def test_a_regions_years_run_in_order_so_each_report_sees_the_previous_years_findings(env):
    years = (2020, 2021, 2022)
    assert _run(env, regions=("putuo", "dinghai"), years=years, window=3, n_jobs=2).ok
    # A report that ran before its previous year was published would have a key without that
    # year's findings, and would run again now that they exist.
    second = _run(env, regions=("putuo", "dinghai"), years=years, window=3, n_jobs=2)
    assert set(_statuses(second).values()) == {"cached"}


def test_a_notebooks_time_leaves_out_the_wait_for_a_free_kernel(env, monkeypatch):
    from contextlib import contextmanager

    from uniontrends.run import kernels

    real_borrowed, wait = kernels.borrowed, 2.0

    @contextmanager
    def slow_to_lend(*args, **kw):
        time.sleep(wait)  # as if every kernel were busy with another region-year
        with real_borrowed(*args, **kw) as kernel:
            yield kernel

    monkeypatch.setattr(kernels, "borrowed", slow_to_lend)
    summary = _run(env)
    seconds = [n.seconds for r in summary.results for n in r.notebooks]
    assert summary.ok and len(seconds) == 3
    assert all(0 < s < wait for s in seconds), seconds
    assert summary.seconds > 3 * wait


def test_a_grid_over_early_years_starts_their_windows_at_the_first_year_of_data(env):
    summary = _run(env, years=(2020, 2021, 2022))  # putuo's data: 2018-2022, window 5
    assert summary.ok
    windows = {
        year: read_manifest(env["outputs_dir"] / "putuo" / str(year))["parameters"]["window"]
        for year in (2020, 2021, 2022)
    }
    assert windows == {2020: 3, 2021: 4, 2022: 5}


def test_failed_export_fails_its_notebook_only_and_leaves_no_products(env, monkeypatch):
    from uniontrends.present import export

    real_export = export.notebook_to_html

    def export_or_break(nb, html_path, title=None):
        if Path(html_path).stem == "01_lang":
            raise OSError("disk full")
        return real_export(nb, html_path, title=title)

    monkeypatch.setattr(export, "notebook_to_html", export_or_break)
    summary = runner.run(["putuo"], [2022], validate=False, html=True, **env)
    statuses = _statuses(summary)
    assert statuses[("putuo", 2022, "01_lang")] == "failed"
    assert statuses[("putuo", 2022, "00_count")] == statuses[("putuo", 2022, "90_report")] == "ran"
    (failure,) = summary.results[0].failures
    assert (failure.kind, failure.error) == ("runner error", "OSError: disk full")
    assert failure.reason == "no previous result" and failure.seconds > 0
    folder = env["outputs_dir"] / "putuo" / "2022"
    assert not list(folder.glob("01_lang*"))  # neither the ipynb nor its products are published
    assert (folder / "00_count.html").is_file() and (folder / "90_report.html").is_file()
    assert read_manifest(folder)["notebooks"]["01_lang"]["error"] == "OSError: disk full"
