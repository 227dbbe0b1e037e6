"""The batch runner: cache hits and misses, manifest, stale clean-up, warm vs isolated, Dask,
editions per language and revisions."""

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
from uniontrends.present.layout import edition_paths
from uniontrends.run import publish, runner
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


def _edition(out: Path, region: str = "putuo", year: int = 2022, lang: str = "en") -> Path:
    return out / "putuo" / region / str(year) / lang  # the bundled package's id is putuo


def _findings(out: Path, region: str, year: int, lang: str = "en") -> dict[str, object]:
    folder = _edition(out, region, year, lang)
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
    dinghai = read_manifest(_edition(env["outputs_dir"], "dinghai"))
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
    records = read_manifest(_edition(env["outputs_dir"]))["notebooks"]
    assert records["00_count"]["reason"] == "notebook changed"
    assert "upstream" in records["90_report"]["reason"]
    # The carried-over 01_lang products are the same bytes as before.
    assert (_edition(env["outputs_dir"]) / "01_lang" / "findings.json").is_file()


def test_manifest_records_what_the_run_depended_on(env):
    _run(env)
    folder = _edition(env["outputs_dir"])
    man = read_manifest(folder)
    assert man["parameters"]["region"] == "putuo" and man["parameters"]["window"] == 5
    assert man["inputs"]["annual/putuo.csv"] == sha256_file(
        env["data_dir"] / "annual" / "putuo.csv"
    )
    assert "annual/dinghai.csv" not in man["inputs"]  # other regions' tables do not count
    for package in ("pandas", "statsmodels", "papermill", "nbconvert", "python", "uniontrends"):
        assert man["packages"][package]
    assert man["started"] <= man["finished"]
    assert len(man["git_commit"].split("+")[0]) == 40  # the code's commit (+dirty when edited)
    assert man["package"] == "putuo" and man["edition"]["revision"] == 1
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
    html = (_edition(env["outputs_dir"]) / "00_count.html").read_text()
    assert "putuo-2022-total" in html  # the printed findings
    assert "csv.DictReader" not in html  # the code is left out


def test_clean_stale_restores_old_and_removes_tmp(tmp_path):
    paths = edition_paths(tmp_path, "putuo", "putuo", 2022, "en")
    old = paths.year_dir / ".en.old-1-abc"
    old.mkdir(parents=True)
    (old / "manifest.json").write_text("{}")
    (paths.year_dir / ".en.tmp-1-def").mkdir()
    (paths.year_dir / ".zh.tmp-1-xyz").mkdir()  # another language: not ours to touch
    publish.clean_stale(paths)
    assert (paths.dest / "manifest.json").read_text() == "{}"
    assert sorted(p.name for p in paths.year_dir.iterdir()) == [".zh.tmp-1-xyz", "en"]


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
        png = _edition(tmp_path / "warm") / name / "trend.png"
        assert png.read_bytes() == (_edition(tmp_path / "iso") / name / "trend.png").read_bytes()


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


def test_unreadable_notebook_fails_alone_and_its_edition_is_not_published(env):
    (env["notebooks_dir"] / "05_broken.ipynb").write_text("not a notebook", encoding="utf-8")
    add_to_registry(env["notebooks_dir"], "05_broken")
    summary = _run(env)
    statuses = _statuses(summary)
    assert statuses[("putuo", 2022, "05_broken")] == "failed"
    assert statuses[("putuo", 2022, "00_count")] == statuses[("putuo", 2022, "90_report")] == "ran"
    (failure,) = summary.results[0].failures
    assert failure.kind == "runner error" and failure.error.startswith("NotJSONError")
    lines = runner.failure_lines(summary)
    assert lines[0].startswith("putuo 2022 en 05_broken cell ?: runner error")
    assert "not published; kept: nothing published yet" in lines[1]
    assert not _edition(env["outputs_dir"]).exists()  # whole or nothing
    kept = env["outputs_dir"] / "_failed" / "putuo" / "putuo" / "2022" / "en"
    assert summary.results[0].failed_dir == str(kept)
    assert (kept / "00_count" / "findings.json").is_file()  # the attempt, to look into
    assert "05_broken" in (kept / "failure.json").read_text()


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
        year: read_manifest(_edition(env["outputs_dir"], year=year))["parameters"]["window"]
        for year in (2020, 2021, 2022)
    }
    assert windows == {2020: 3, 2021: 4, 2022: 5}


def test_failed_export_fails_its_notebook_and_publishes_nothing(env, monkeypatch):
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
    assert not _edition(env["outputs_dir"]).exists()
    kept = Path(summary.results[0].failed_dir)
    assert (kept / "00_count.html").is_file() and (kept / "90_report.html").is_file()
    summary_file = json.loads((kept / "failure.json").read_text())
    assert summary_file["records"]["01_lang"]["error"] == "OSError: disk full"


# ---- cache honesty ------------------------------------------------------------------------


def test_html_after_no_html_is_a_cache_miss_and_writes_the_html(env):
    assert _run(env).ok  # html=False
    folder = _edition(env["outputs_dir"])
    assert not list(folder.glob("*.html"))
    with_html = runner.run(["putuo"], [2022], validate=False, html=True, **env)
    assert set(_statuses(with_html).values()) == {"ran"}
    assert "output options changed" in with_html.results[0].notebooks[0].reason
    assert sorted(p.name for p in folder.glob("*.html")) == [
        "00_count.html", "01_lang.html", "90_report.html",
    ]  # fmt: skip
    again = runner.run(["putuo"], [2022], validate=False, html=True, **env)
    assert set(_statuses(again).values()) == {"cached"}


@pytest.mark.parametrize(
    ("product", "change", "reason"),
    [
        ("00_count/findings.json", "delete", "products missing: 00_count/findings.json"),
        ("00_count/findings.json", "edit", "products changed: 00_count/findings.json"),
        ("01_lang.ipynb", "edit", "products changed: 01_lang.ipynb"),
        ("01_lang.ipynb", "link", "products missing: 01_lang.ipynb"),
    ],
)
def test_a_missing_or_altered_product_is_rerun(env, tmp_path, product, change, reason):
    assert _run(env).ok
    path = _edition(env["outputs_dir"]) / product
    original = path.read_bytes()
    if change == "delete":
        path.unlink()
    elif change == "edit":
        path.write_bytes(original.replace(b"putuo", b"PUTUO"))
    else:  # the same bytes, but through a link: not a product of this edition
        (tmp_path / "elsewhere").write_bytes(original)
        path.unlink()
        path.symlink_to(tmp_path / "elsewhere")
    notebook = product.split("/")[0].split(".")[0]
    summary = _run(env)
    statuses = _statuses(summary)
    assert statuses[("putuo", 2022, notebook)] == "ran"
    assert statuses[("putuo", 2022, "90_report")] == "ran"  # it reads the rerun notebook
    other = "01_lang" if notebook == "00_count" else "00_count"
    assert statuses[("putuo", 2022, other)] == "cached"
    records = read_manifest(_edition(env["outputs_dir"]))["notebooks"]
    assert records[notebook]["reason"] == reason
    assert path.is_file() and not path.is_symlink() and b"PUTUO" not in path.read_bytes()
    if path.suffix == ".json":  # an executed notebook records its run's times; findings do not
        assert path.read_bytes() == original


@pytest.mark.notebooks
def test_a_fully_cached_rerun_of_the_bundled_suite_takes_under_a_second(bundled_suite):
    started = time.perf_counter()
    summary = runner.run(["putuo", "dinghai", "daishan"], [2022], n_jobs=2,
                         outputs_dir=bundled_suite.parent, validate="auto")  # fmt: skip
    seconds = time.perf_counter() - started
    assert {r.status for r in summary.results} == {"unchanged"}
    assert seconds < 1.0, f"{seconds:.2f} s"


# ---- editions side by side, packages apart, revisions kept --------------------------------


def _bilingual(env: dict[str, Path]) -> dict[str, Path]:
    """The fixture suite with a 01_lang that also speaks Chinese."""
    nb = nbformat.read(env["notebooks_dir"] / "01_lang.ipynb", as_version=4)
    nb.cells[3].source = nb.cells[3].source.replace('if lang == "zh":', 'if lang == "fr":')
    nbformat.write(nb, env["notebooks_dir"] / "01_lang.ipynb")
    return env


def test_en_and_zh_editions_side_by_side_from_one_run_with_the_data_validated_once(
    env, monkeypatch
):
    env = _bilingual(env)
    checks = []
    real_validate = runner.validate_package
    monkeypatch.setattr(runner, "validate_package", lambda d: checks.append(d) or real_validate(d))
    both = runner.run(["putuo"], [2022], lang="en,zh", html=False, **env)
    assert both.ok and [r.label for r in both.results] == ["putuo 2022 en", "putuo 2022 zh"]
    assert len(checks) == 1  # one validation for both languages
    en, zh = (
        _findings(env["outputs_dir"], "putuo", 2022),
        _findings(env["outputs_dir"], "putuo", 2022, "zh"),
    )
    assert en["01_lang"][0]["value"] == "en" and zh["01_lang"][0]["value"] == "zh"
    assert en["00_count"] == zh["00_count"]
    # A later English-only run leaves the Chinese edition as it was.
    zh_before = (_edition(env["outputs_dir"], lang="zh") / "manifest.json").read_bytes()
    again = _run(env, force=True)
    assert again.ok and [r.label for r in again.results] == ["putuo 2022 en"]
    assert (_edition(env["outputs_dir"], lang="zh") / "manifest.json").read_bytes() == zh_before


def test_two_packages_with_the_same_region_keep_separate_outputs_and_caches(env, tmp_path):
    other = tmp_path / "other-data"
    shutil.copytree(env["data_dir"], other)
    (other / "package.yaml").write_text("id: other-federation\n", encoding="utf-8")
    first = _run(env)
    second = _run({**env, "data_dir": other})
    assert set(_statuses(first).values()) == set(_statuses(second).values()) == {"ran"}
    out = env["outputs_dir"]
    assert (out / "putuo" / "putuo" / "2022" / "en" / "manifest.json").is_file()
    assert (out / "other-federation" / "putuo" / "2022" / "en" / "manifest.json").is_file()
    assert read_manifest(out / "other-federation" / "putuo" / "2022" / "en")["package"] == (
        "other-federation"
    )
    assert set(_statuses(_run(env)).values()) == {"cached"}


def test_a_rerun_after_a_data_revision_is_a_new_revision_and_the_old_one_is_kept(env):
    out = env["outputs_dir"]
    assert _run(env, years=(2021, 2022), window=3).ok
    dest = _edition(out, year=2021)
    first = json.loads((dest / "edition.json").read_text())
    assert (first["revision"], first["revises"]) == (1, None)
    # Republishing the same data, method and parameters (--force) is the same revision.
    findings = (dest / "00_count" / "findings.json").read_bytes()
    assert _run(env, years=(2021,), window=3, force=True).ok
    assert json.loads((dest / "edition.json").read_text()) == first
    assert (dest / "00_count" / "findings.json").read_bytes() == findings
    assert not (dest.parent / "revisions").exists()
    before = {p.relative_to(dest): p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    # The 2020 figures are revised; 2021 is rerun.
    csv = env["data_dir"] / "annual" / "putuo.csv"
    rows = csv.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    at = [i for i, r in enumerate(rows) if r.split(",")[header.index("year")] == "2020"][0]
    cells = rows[at].split(",")
    cells[header.index("value")] = str(float(cells[header.index("value")]) + 1000)
    rows[at] = ",".join(cells)
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary = _run(env, years=(2021,), window=3)
    assert summary.ok and summary.results[0].revision == 2
    edition = json.loads((dest / "edition.json").read_text())
    revises = edition["revises"]
    assert edition["revision"] == 2 and revises["revision"] == 1
    assert revises["changed"] == ["data: annual/putuo.csv"]
    assert read_manifest(dest)["edition"] == edition
    found = _findings(out, "putuo", 2021)["00_count"][0]
    assert found["value"] == pytest.approx(
        json.loads(before[Path("00_count/findings.json")])[0]["value"] + 1000
    )
    # What was circulated is kept byte-identical, dated, under revisions/.
    kept = dest.parent / revises["kept_at"]
    assert kept.name == f"en-r1-{first['date']}"
    assert {p.relative_to(kept): p.read_bytes() for p in kept.rglob("*") if p.is_file()} == before
    # 2022 was not in the run: still its first revision; a rerun of 2021 is cached.
    assert json.loads((_edition(out) / "edition.json").read_text())["revision"] == 1
    assert set(_statuses(_run(env, years=(2021,), window=3)).values()) == {"cached"}
