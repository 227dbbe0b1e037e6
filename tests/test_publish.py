"""Publishing without kernels: the outputs layout, no path through a symbolic link, the swap
and its clean-up, revisions kept, the old layout moved, bounded lock waits, a pure plan."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest
from factories import make_finding
from filelock import FileLock
from uniontrends import config
from uniontrends.errors import ParameterError
from uniontrends.findings.record import write_findings
from uniontrends.notebook import session
from uniontrends.notebook.params import check_parameters
from uniontrends.notebook.registry import load_registry
from uniontrends.present import layout, report
from uniontrends.run import publish, revisions, runner
from uniontrends.run.jobs import LockBusyError, RunCancelled

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def _paths(root: Path, year: int = 2022, lang: str = "en") -> layout.EditionPaths:
    return layout.edition_paths(root, "putuo", "putuo", year, lang)


def _edition(folder: Path, revision: int, date: str = "2026-01-01", **extra) -> Path:
    folder.mkdir(parents=True)
    edition = {"revision": revision, "date": date, "versions": {"data": str(revision)}}
    (folder / "manifest.json").write_text(json.dumps({"edition": edition, **extra}))
    (folder / "report.html").write_text(f"revision {revision}")
    return folder


# ---- layout ----------------------------------------------------------------------------------


def test_an_edition_lives_under_its_package_region_year_and_language(tmp_path):
    paths = _paths(tmp_path, 2022, "zh")
    assert paths.dest == tmp_path / "putuo" / "putuo" / "2022" / "zh"
    assert paths.lock == tmp_path / "putuo" / "putuo" / "2022" / ".zh.lock"
    assert paths.failed == tmp_path / "_failed" / "putuo" / "putuo" / "2022" / "zh"
    assert paths.revision_dir(1, "2026-01-01") == paths.year_dir / "revisions" / "zh-r1-2026-01-01"


@pytest.mark.parametrize(
    ("package", "region", "year", "lang"),
    [("..", "putuo", 2022, "en"), ("putuo", "../x", 2022, "en"), ("putuo", "a/b", 2022, "en"),
     ("putuo", "putuo", 99999, "en"), ("putuo", "putuo", 2022, "../en"),
     ("putuo", "putuo", True, "en"), ("Putuo", "putuo", 2022, "en"),
     ("_failed", "putuo", 2022, "en"), (".hidden", "putuo", 2022, "en")],
)  # fmt: skip
def test_no_part_of_an_edition_path_can_leave_the_outputs_folder(
    tmp_path, package, region, year, lang
):
    with pytest.raises(ParameterError):
        layout.edition_paths(tmp_path, package, region, year, lang)


def test_a_package_named_after_its_folder_may_start_with_a_digit(tmp_path):
    paths = layout.edition_paths(tmp_path, "2024-returns", "putuo", 2022, "en")
    assert paths.dest == tmp_path / "2024-returns" / "putuo" / "2022" / "en"


def test_checked_refuses_links_and_paths_outside_but_allows_a_linked_root(tmp_path):
    real = tmp_path / "disk"
    (real / "putuo").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (real / "putuo" / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(layout.UnsafePathError, match="symbolic link"):
        layout.checked(real, real / "putuo" / "link" / "2022")
    with pytest.raises(layout.UnsafePathError, match="outside"):
        layout.checked(real, tmp_path / "elsewhere")
    with pytest.raises(layout.UnsafePathError):
        layout.checked(real, real / "putuo" / ".." / ".." / "elsewhere")
    root_link = tmp_path / "outputs"
    root_link.symlink_to(real, target_is_directory=True)  # outputs kept on another disk
    assert layout.checked(root_link, root_link / "putuo" / "x") == real / "putuo" / "x"
    with pytest.raises(layout.UnsafePathError):
        layout.remove_tree(root_link, root_link / "putuo" / "link")
    assert (tmp_path / "elsewhere").is_dir()


def test_previous_edition_is_the_same_language_else_another(tmp_path):
    region_dir = _paths(tmp_path).region_dir
    write_findings([make_finding()], region_dir / "2021" / "en" / "02_dispute_resolution")
    assert layout.previous_edition(region_dir, 2022, "zh") == region_dir / "2021" / "en"
    write_findings([make_finding()], region_dir / "2021" / "zh" / "02_dispute_resolution")
    assert layout.previous_edition(region_dir, 2022, "zh") == region_dir / "2021" / "zh"
    assert layout.previous_edition(region_dir, 2021, "en") is None
    assert layout.previous_edition(None, 2022, "en") is None


# ---- swap, clean-up, revisions ---------------------------------------------------------------


def test_a_new_revision_keeps_the_one_it_replaces_and_the_same_revision_replaces_it(tmp_path):
    paths = _paths(tmp_path)
    _edition(paths.dest, 1)
    attempt = _edition(paths.year_dir / ".en.tmp-1-a", 1)
    assert publish.publish(paths, attempt) is None  # the same revision, republished
    assert not paths.revisions_dir.exists() and not attempt.exists()
    kept = publish.publish(paths, _edition(paths.year_dir / ".en.tmp-1-b", 2, "2026-02-01"))
    assert kept == paths.revision_dir(1, "2026-01-01")
    assert (kept / "report.html").read_text() == "revision 1"
    assert (paths.dest / "report.html").read_text() == "revision 2"
    assert publish.kept(paths) == f"revision 2 of 2026-02-01 in {paths.dest}"
    assert sorted(p.name for p in paths.year_dir.iterdir()) == ["en", "revisions"]


def test_clean_stale_keeps_a_replaced_revision_and_puts_back_a_half_swapped_edition(tmp_path):
    paths = _paths(tmp_path)
    # Killed after the swap: the replaced revision 1 is still hidden next to revision 2.
    _edition(paths.dest, 2, "2026-02-01")
    _edition(paths.year_dir / ".en.old-9-x", 1)
    _edition(paths.year_dir / ".en.tmp-9-y", 3)
    publish.clean_stale(paths)
    assert (paths.revision_dir(1, "2026-01-01") / "report.html").read_text() == "revision 1"
    assert sorted(p.name for p in paths.year_dir.iterdir()) == ["en", "revisions"]
    # Killed between the two renames: the edition is put back.
    other = _paths(tmp_path, 2021)
    _edition(other.year_dir / ".en.old-9-z", 1)
    publish.clean_stale(other)
    assert (other.dest / "report.html").read_text() == "revision 1"


def test_a_failed_attempt_is_moved_with_its_summary_and_replaces_the_last_one(tmp_path):
    paths = _paths(tmp_path)
    for n in (1, 2):
        attempt = publish.new_attempt(paths)
        (attempt / f"try{n}.ipynb").write_text("{}")
        kept = publish.keep_failed(paths, attempt, {"try": n})
    assert kept == paths.failed and sorted(p.name for p in kept.iterdir()) == [
        "failure.json", "try2.ipynb",
    ]  # fmt: skip
    assert json.loads((kept / "failure.json").read_text()) == {"try": 2}
    assert not list(paths.year_dir.glob(".en.tmp-*"))


def test_a_failed_attempt_is_not_moved_through_a_link(tmp_path):
    paths = _paths(tmp_path)
    outside = tmp_path / "outside"
    (outside / "2022" / "en").mkdir(parents=True)
    (outside / "2022" / "en" / "precious").write_text("keep")
    (tmp_path / "_failed" / "putuo").mkdir(parents=True)
    (tmp_path / "_failed" / "putuo" / "putuo").symlink_to(outside, target_is_directory=True)
    attempt = publish.new_attempt(paths)
    with pytest.raises(layout.UnsafePathError):
        publish.keep_failed(paths, attempt, {})
    publish.forget_failure(paths)  # never follows the link either
    assert (outside / "2022" / "en" / "precious").read_text() == "keep"


def test_the_old_layout_of_this_package_is_moved_and_others_left(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    outputs = tmp_path / "outputs"
    mine = outputs / "putuo" / "2022"
    mine.mkdir(parents=True)
    (mine / "manifest.json").write_text(
        json.dumps(
            {"region": "putuo", "year": 2022, "parameters": {"data_dir": str(data), "lang": "zh"}}
        )
    )
    (outputs / "putuo" / ".2022.lock").write_text("")
    theirs = outputs / "dinghai" / "2022"
    theirs.mkdir(parents=True)
    (theirs / "manifest.json").write_text(
        json.dumps(
            {"region": "dinghai", "year": 2022, "parameters": {"data_dir": "/another/package"}}
        )
    )
    moved = publish.migrate_legacy(outputs, "putuo", data)
    new = outputs / "putuo" / "putuo" / "2022" / "zh"
    assert moved == [(mine, new)] and (new / "manifest.json").is_file()
    assert not mine.exists() and not (outputs / "putuo" / ".2022.lock").exists()
    assert (theirs / "manifest.json").is_file()  # another package's: left where it is
    assert publish.migrate_legacy(outputs, "putuo", data) == []


def test_revision_records_first_same_next_and_before_revisions_were_kept(tmp_path):
    paths = _paths(tmp_path)
    v1 = {"data": "a", "method": "m", "parameters": "p"}
    params = {"region": "putuo", "year": 2022, "window": 5, "lang": "en"}
    first = revisions.next_edition(paths, None, v1, {"annual/putuo.csv": "1"}, params, "2026-01-01")
    assert (first["revision"], first["date"], first["revises"]) == (1, "2026-01-01", None)
    published = {"edition": first, "inputs": {"annual/putuo.csv": "1"}, "parameters": params}
    same = revisions.next_edition(paths, published, v1, {}, params, "2026-03-03")
    assert (same["revision"], same["date"]) == (1, "2026-01-01")
    v2 = {**v1, "data": "b", "parameters": "q"}
    nxt = revisions.next_edition(paths, published, v2, {"annual/putuo.csv": "2"},
                                 {**params, "window": 3}, "2026-03-03")  # fmt: skip
    assert (nxt["revision"], nxt["date"]) == (2, "2026-03-03")
    assert nxt["revises"]["changed"] == ["data: annual/putuo.csv", "parameters: window 5 → 3"]
    assert nxt["revises"]["kept_at"] == "revisions/en-r1-2026-01-01"
    old = revisions.next_edition(paths, {"finished": "2025-12-24T10:00:00+00:00"}, v1, {},
                                 params, "2026-03-03")  # fmt: skip
    assert old["revision"] == 2 and old["revises"]["date"] == "2025-12-24"
    assert "not recorded" in old["revises"]["changed"][0]


def test_findings_revised_lists_what_a_revision_changed(tmp_path):
    before, after = tmp_path / "r1", tmp_path / "r2"
    same = make_finding("legal_aid_cases", value=5.0)
    write_findings([make_finding(value=1.0), same], before / "02_dispute_resolution")
    write_findings([make_finding(value=3.0), same], after / "02_dispute_resolution")
    (revised,) = revisions.findings_revised(before, after)
    assert revised["id"] == "putuo.disputes_mediated.trend"
    assert (revised["value_before"], revised["value"]) == (1.0, 3.0)


def test_the_report_marks_a_revision_and_what_it_revised(package, tmp_path):
    editions = tmp_path / "outputs" / "putuo" / "putuo"
    published = editions / "2022" / "en"
    write_findings([make_finding(value=1.0)], published / "02_dispute_resolution")
    attempt = editions / "2022" / ".en.tmp-1-a"
    attempt.mkdir(parents=True)
    revises = {"revision": 1, "date": "2026-01-01", "changed": ["data: annual/putuo.csv"],
               "kept_at": "revisions/en-r1-2026-01-01"}  # fmt: skip
    edition = {"revision": 2, "date": "2026-03-03", "versions": {"data": "b", "method": "m"},
               "revises": revises}  # fmt: skip
    revisions.write_edition(attempt, edition)
    s = session.Session(
        notebook="90_annual_report", params=check_parameters(package, "putuo", 2022, 5, "en"),
        package=package, run_dir=attempt, editions_dir=layout.region_dir_of_run(attempt, 2022),
        registry=load_registry(config.NOTEBOOKS_DIR), outputs=None, lang="en",
    )  # fmt: skip
    assert s.report.revised_dir == published
    assert s.report.published_dir is None  # a batch run reads its own findings only
    note = s.report.edition_note([make_finding(value=3.0)])
    assert "revision 2 of 2026-03-03" in note and "revises revision 1 of 2026-01-01" in note
    assert "data: annual/putuo.csv" in note and "revisions/en-r1-2026-01-01" in note
    assert r"putuo.disputes\_mediated.trend: 1 → 3" in note
    zh = report.edition_markdown(edition, None, "zh")
    assert "第2版" in zh and "2026-01-01 的第1版" in zh


# ---- locks, the plan -------------------------------------------------------------------------


def test_a_busy_lock_is_waited_for_a_bounded_time_and_a_cancel_stops_the_wait(tmp_path):
    paths = _paths(tmp_path)
    paths.year_dir.mkdir(parents=True)
    with FileLock(str(paths.lock), thread_local=False):
        started = time.monotonic()
        with pytest.raises(LockBusyError, match=r"waited 0.5 s.*--lock-timeout"):
            with publish.edition_lock(paths, 0.5):
                pass
        assert 0.5 <= time.monotonic() - started < 2
        flag = threading.Event()
        threading.Timer(0.3, flag.set).start()
        started = time.monotonic()
        with pytest.raises(RunCancelled):
            with publish.edition_lock(paths, 60, flag.is_set):
                pass
        assert time.monotonic() - started < 2
    with publish.edition_lock(paths, 0):
        pass


def test_a_lock_file_that_is_a_link_is_refused(tmp_path):
    paths = _paths(tmp_path)
    paths.year_dir.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("do not truncate")
    paths.lock.symlink_to(victim)
    with pytest.raises(layout.UnsafePathError):
        with publish.edition_lock(paths, 0):
            pass
    assert victim.read_text() == "do not truncate"


def _plan(tmp_path: Path, **kw):
    options = {"window": 5, "lang": "en", "data_dir": config.DATA_DIR,
               "notebooks_dir": FIXTURES / "suite", "outputs_dir": tmp_path / "out"}  # fmt: skip
    options.update(kw)
    return runner.plan(["putuo", "dinghai"], [2021, 2022], **options)


def test_plan_is_pure_one_job_per_edition_and_languages_from_a_list(tmp_path):
    before = set(sys.modules)
    jobs = _plan(tmp_path, lang="en,zh", window=3)
    assert [j.label for j in jobs] == [
        "putuo 2021 en", "putuo 2021 zh", "putuo 2022 en", "putuo 2022 zh",
        "dinghai 2021 en", "dinghai 2021 zh", "dinghai 2022 en", "dinghai 2022 zh",
    ]  # fmt: skip
    assert {j.package for j in jobs} == {"putuo"} and len({j.run_id for j in jobs}) == 1
    assert not (tmp_path / "out").exists()  # nothing written
    assert "uniontrends.run.kernels" not in set(sys.modules) - before  # no kernel started
    assert runner.notebooks_to_run(jobs) == 8 * 3 and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [("timeout", 0), ("timeout", -1), ("timeout", float("inf")), ("timeout", "soon"),
     ("lock_timeout", -1), ("lock_timeout", float("nan")), ("lock_timeout", 10**9)],
)  # fmt: skip
def test_plan_refuses_waits_without_a_bound(tmp_path, option, value):
    with pytest.raises(ParameterError, match=option):
        _plan(tmp_path, **{option: value})


def test_plan_refuses_a_language_it_has_no_edition_for(tmp_path):
    with pytest.raises(ParameterError, match="lang"):
        _plan(tmp_path, lang="en,fr")


# ---- commands refuse arguments that leave the outputs folder ----------------------------------


def test_pdf_prints_only_an_edition_inside_the_outputs_folder(tmp_path):
    from typer.testing import CliRunner
    from uniontrends.cli import app

    outputs, outside = tmp_path / "outputs", tmp_path / "outside"
    outside.mkdir()
    (outside / "90_annual_report.html").write_text("<html>elsewhere</html>")
    (outputs / "putuo" / "putuo").mkdir(parents=True)
    (outputs / "putuo" / "putuo" / "2022").symlink_to(outside, target_is_directory=True)
    for folder, message in [
        (outside, "is outside the outputs folder"),
        (outputs / "putuo" / "putuo" / "2022", "is a symbolic link"),
        (outputs / ".." / "outside", "outside the outputs folder"),
    ]:
        result = CliRunner().invoke(app, ["pdf", str(folder), "--outputs-dir", str(outputs)])
        assert result.exit_code == 1 and message in result.output, result.output
    assert not list(outside.glob("*.pdf"))


@pytest.mark.parametrize(
    ("option", "value"), [("--region", "../outside"), ("--region", "putuo,../x"),
                          ("--lang", "../en"), ("--lang", "en,zh/..")],
)  # fmt: skip
def test_run_refuses_region_or_language_arguments_that_leave_the_outputs_folder(
    tmp_path, option, value
):
    from typer.testing import CliRunner
    from uniontrends.cli import app

    outputs = tmp_path / "outputs"
    argv = ["run", option, value, "--outputs-dir", str(outputs),
            "--notebooks-dir", str(FIXTURES / "suite")]  # fmt: skip
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2 and "parameter" in result.output, result.output
    assert not outputs.exists() and not (tmp_path / "outside").exists()
