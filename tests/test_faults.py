"""Fault tolerance: cell timeout, dead kernel, busy lock, SIGKILL of a run mid-way."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from factories import add_to_registry
from filelock import FileLock
from uniontrends import config
from uniontrends.run import runner

pytestmark = pytest.mark.kernels

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(config.PROJ_ROOT / "data", data)
    return data


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _partials(outputs: Path) -> list[Path]:
    return [p for p in outputs.rglob("*") if ".tmp-" in p.name or ".old-" in p.name]


def test_timeout_and_dead_kernel_are_reported_by_cell(tmp_path, data_dir):
    summary = runner.run(
        ["putuo"], [2022], data_dir=data_dir, notebooks_dir=FIXTURES / "faults",
        outputs_dir=tmp_path / "out", timeout=2, validate=False, html=False,
    )  # fmt: skip
    assert not summary.ok
    failures = {n.notebook: n for n in summary.results[0].failures}
    assert failures["02_sleep"].kind == "timeout"
    assert failures["02_sleep"].cell == 5  # markdown, parameters, injected, setup, sleep
    assert "2 s" in failures["02_sleep"].error
    assert failures["03_kill_kernel"].kind == "kernel died"
    assert failures["03_kill_kernel"].cell == 5
    lines = runner.failure_lines(summary)
    assert any("02_sleep cell 5: timeout" in line for line in lines)
    assert any("03_kill_kernel cell 5: kernel died" in line for line in lines)
    kept = tmp_path / "out" / "_failed" / "putuo" / "2022"
    assert sorted(p.name for p in kept.iterdir()) == ["02_sleep.ipynb", "03_kill_kernel.ipynb"]


def _options(tmp_path: Path, data_dir: Path, **kw) -> dict:
    return dict(data_dir=data_dir, notebooks_dir=FIXTURES / "suite",
                outputs_dir=tmp_path / "out", validate=False, html=False, **kw)  # fmt: skip


def test_busy_lock_fails_at_once_and_names_the_lock(tmp_path, data_dir):
    options = _options(tmp_path, data_dir)
    runner.run(["putuo"], [2022], **options)
    before = _snapshot(tmp_path / "out" / "putuo" / "2022")
    lock = runner.lock_path(tmp_path / "out", "putuo", 2022)
    with FileLock(str(lock)):
        summary = runner.run(["putuo"], [2022], force=True, **options)
    result = summary.results[0]
    assert not summary.ok and result.status == "locked" and not result.notebooks
    assert "putuo 2022 is being written by another run" in result.error
    assert str(lock) in result.error and "--lock-timeout" in result.error
    assert _snapshot(tmp_path / "out" / "putuo" / "2022") == before


def test_lock_timeout_waits_for_the_other_run(tmp_path, data_dir):
    options = _options(tmp_path, data_dir, lock_timeout=30)
    # thread_local=False: the timer thread releases the lock this thread took.
    lock = FileLock(str(runner.lock_path(tmp_path / "out", "putuo", 2022)), thread_local=False)
    lock.acquire()
    threading.Timer(1.0, lock.release).start()
    started = time.perf_counter()
    summary = runner.run(["putuo"], [2022], **options)
    assert summary.ok and summary.results[0].status == "written"
    assert time.perf_counter() - started >= 1.0


@pytest.mark.notebooks
def test_sigkill_mid_run_keeps_previous_outputs_and_next_run_completes(tmp_path, data_dir):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FIXTURES / "suite", notebooks)
    shutil.copy(FIXTURES / "extra" / "50_env_sleep.ipynb", notebooks)
    add_to_registry(notebooks, "50_env_sleep")
    options = _options(tmp_path, data_dir) | {"notebooks_dir": notebooks}
    out = tmp_path / "out"
    assert runner.run(["putuo"], [2022], **options).ok
    dest = out / "putuo" / "2022"
    before = _snapshot(dest)

    cmd = [str(Path(sys.executable).parent / "uniontrends"), "run", "--force", "--no-html",
           "--data-dir", str(data_dir), "--notebooks-dir", str(notebooks),
           "--outputs-dir", str(out)]  # fmt: skip
    env = {**os.environ, "UT_FIXTURE_SLEEP": "60"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        # 01_lang written into the tmp folder means 50_env_sleep is now sleeping.
        while not list((out / "putuo").glob(".2022.tmp-*/01_lang.ipynb")):
            assert proc.poll() is None and time.monotonic() < deadline, "run did not start"
            time.sleep(0.2)
        # A second run on the same region-year while the first holds it fails clearly.
        busy = runner.run(["putuo"], [2022], force=True, **options)
        assert busy.results[0].status == "locked" and ".2022.lock" in busy.results[0].error
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _snapshot(dest) == before  # byte-identical previous outputs
    assert len(_partials(out)) == 1  # the killed run's tmp folder, never published

    rerun = runner.run(["putuo"], [2022], force=True, **options)
    assert rerun.ok and rerun.counts()["ran"] == 4
    assert _partials(out) == []
    assert (dest / "50_env_sleep" / "findings.json").is_file()
