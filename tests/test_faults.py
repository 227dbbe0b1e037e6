"""Faults, each named right and none publishing half an edition: a failing notebook, exit(),
a cell timeout, a dead kernel, a busy lock, a full disk, SIGKILL mid-run and mid-export,
Ctrl-C and SIGTERM, symbolic links out of the outputs folder, a Dask worker lost mid-grid."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from factories import add_to_registry
from filelock import FileLock
from uniontrends import config
from uniontrends.present.layout import edition_paths
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


def _suite_with(tmp_path: Path, *extra: str) -> Path:
    """The fixture suite plus notebooks of fixtures/notebooks/extra (run after the others)."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FIXTURES / "suite", notebooks)
    for name in extra:
        shutil.copy(FIXTURES / "extra" / f"{name}.ipynb", notebooks)
        add_to_registry(notebooks, name)
    return notebooks


def _cli(data_dir: Path, notebooks: Path, out: Path, *args: str) -> list[str]:
    """`uniontrends run` (HTML off unless args say --html) on the given folders."""
    html = [] if "--html" in args else ["--no-html"]
    return [str(Path(sys.executable).parent / "uniontrends"), "run", *html,
            "--data-dir", str(data_dir), "--notebooks-dir", str(notebooks),
            "--outputs-dir", str(out), *args]  # fmt: skip


def _wait_for(predicate, proc: subprocess.Popen | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert proc is None or proc.poll() is None, "the run ended early"
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def _processes_with(marker: str) -> list[int]:
    """Live processes whose environment holds marker (kernels inherit the runner's)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def test_timeout_and_dead_kernel_are_reported_by_cell(tmp_path, data_dir):
    summary = runner.run(
        ["putuo"], [2022], data_dir=data_dir, notebooks_dir=FIXTURES / "faults",
        outputs_dir=tmp_path / "out", timeout=2, validate=False, html=False,
    )  # fmt: skip
    assert not summary.ok
    failures = {n.notebook: n for n in summary.results[0].failures}
    assert failures["02_sleep"].kind == "timeout"
    assert failures["02_sleep"].cell == 5  # markdown, parameters, injected, setup, sleep
    assert "longer than the 2 s limit (--timeout)" in failures["02_sleep"].error
    assert failures["03_kill_kernel"].kind == "kernel died"
    assert failures["03_kill_kernel"].cell == 5
    lines = runner.failure_lines(summary)
    assert any("02_sleep cell 5: timeout" in line for line in lines)
    assert any("03_kill_kernel cell 5: kernel died" in line for line in lines)
    kept = tmp_path / "out" / "_failed" / "putuo" / "putuo" / "2022" / "en"
    assert {"02_sleep.ipynb", "03_kill_kernel.ipynb", "failure.json"} <= {
        p.name for p in kept.iterdir()
    }
    assert failures["02_sleep"].failed_path == str(kept / "02_sleep.ipynb")
    assert not (tmp_path / "out" / "putuo" / "putuo" / "2022" / "en").exists()


def _dest(tmp_path: Path) -> Path:
    return tmp_path / "out" / "putuo" / "putuo" / "2022" / "en"


def _options(tmp_path: Path, data_dir: Path, **kw) -> dict:
    return {
        "data_dir": data_dir,
        "notebooks_dir": FIXTURES / "suite",
        "outputs_dir": tmp_path / "out",
        "validate": False,
        "html": False,
        **kw,
    }


def test_busy_lock_fails_at_once_and_names_the_lock(tmp_path, data_dir):
    options = _options(tmp_path, data_dir)
    runner.run(["putuo"], [2022], **options)
    dest = _dest(tmp_path)
    before = _snapshot(dest)
    lock = edition_paths(tmp_path / "out", "putuo", "putuo", 2022, "en").lock
    with FileLock(str(lock)):
        started = time.monotonic()
        summary = runner.run(["putuo"], [2022], force=True, **options)
        assert time.monotonic() - started < 5  # at once, not after a wait
    result = summary.results[0]
    assert not summary.ok and result.status == "locked" and not result.notebooks
    assert "putuo 2022 en is being written by another run" in result.error
    assert str(lock) in result.error and "--lock-timeout" in result.error
    assert result.kept.startswith("revision 1 of ")
    assert _snapshot(dest) == before


def test_lock_timeout_waits_for_the_other_run(tmp_path, data_dir):
    options = _options(tmp_path, data_dir, lock_timeout=30)
    # thread_local=False: the timer thread releases the lock this thread took.
    lock_file = edition_paths(tmp_path / "out", "putuo", "putuo", 2022, "en").lock
    lock_file.parent.mkdir(parents=True)
    lock = FileLock(str(lock_file), thread_local=False)
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
    dest = _dest(tmp_path)
    before = _snapshot(dest)

    cmd = [str(Path(sys.executable).parent / "uniontrends"), "run", "--force", "--no-html",
           "--data-dir", str(data_dir), "--notebooks-dir", str(notebooks),
           "--outputs-dir", str(out)]  # fmt: skip
    env = {**os.environ, "UT_FIXTURE_SLEEP": "60"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        # 01_lang written into the tmp folder means 50_env_sleep is now sleeping.
        while not list(dest.parent.glob(".en.tmp-*/01_lang.ipynb")):
            assert proc.poll() is None and time.monotonic() < deadline, "run did not start"
            time.sleep(0.2)
        # A second run on the same region-year while the first holds it fails clearly.
        busy = runner.run(["putuo"], [2022], force=True, **options)
        assert busy.results[0].status == "locked" and ".en.lock" in busy.results[0].error
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


def test_a_failing_notebook_on_new_data_keeps_the_previous_edition_byte_identical(
    tmp_path, data_dir
):
    options = _options(tmp_path, data_dir)
    assert runner.run(["putuo"], [2022], **options).ok
    dest = _dest(tmp_path)
    before = _snapshot(dest)
    # New data, and 01_lang now fails: the report must not mix new 00_count findings with
    # 01_lang's from the old data, and nothing of the attempt may be published.
    csv = data_dir / "annual" / "putuo.csv"
    rows = csv.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    cells = rows[1].split(",")
    cells[header.index("value")] = str(float(cells[header.index("value")]) * 3)
    csv.write_text("\n".join([rows[0], ",".join(cells), *rows[2:]]) + "\n", encoding="utf-8")
    nb_path = options["notebooks_dir"]
    notebooks = tmp_path / "notebooks"
    shutil.copytree(nb_path, notebooks)
    lang = nbformat.read(notebooks / "01_lang.ipynb", as_version=4)
    lang.cells[3].source = lang.cells[3].source.replace('if lang == "zh":', "if True:")
    nbformat.write(lang, notebooks / "01_lang.ipynb")
    summary = runner.run(["putuo"], [2022], **(options | {"notebooks_dir": notebooks}))
    result = summary.results[0]
    assert result.status == "failed" and [n.notebook for n in result.failures] == ["01_lang"]
    assert _snapshot(dest) == before
    assert result.kept.startswith("revision 1 of ")
    kept = Path(result.failed_dir)
    assert json.loads((kept / "failure.json").read_text())["kept"] == result.kept
    assert (kept / "01_lang.ipynb").is_file() and not (kept / "90_report").exists()
    assert {n.notebook: n.status for n in result.notebooks}["90_report"] == "skipped"
    assert _partials(tmp_path / "out") == []


def test_exit_in_a_notebook_is_blamed_on_it_and_the_next_notebook_runs(
    tmp_path, data_dir, monkeypatch
):
    monkeypatch.setenv("UT_FIXTURE_EXIT", "1")  # the kernels inherit it
    notebooks = _suite_with(tmp_path, "60_exit")
    summary = runner.run(["putuo"], [2022], **_options(tmp_path, data_dir, notebooks_dir=notebooks))
    statuses = {n.notebook: n for n in summary.results[0].notebooks}
    exited = statuses["60_exit"]
    assert (exited.status, exited.kind, exited.cell) == ("failed", "exit", 5)
    assert "exit()" in exited.error
    # One warm kernel: the report ran after 60_exit on a fresh kernel, not blamed for its death.
    assert statuses["90_report"].status == "ran"
    assert [n.notebook for n in summary.results[0].failures] == ["60_exit"]


def _mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir(parents=True)
    if os.geteuid() != 0:
        pytest.skip("a small tmpfs needs root (mount -t tmpfs); run as root to test a full disk")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs failed here: {done.stderr.strip()}")


@pytest.fixture()
def small_disk(tmp_path: Path):
    """An outputs folder on a 3 MiB tmpfs, unmounted afterwards."""
    folder = tmp_path / "small"
    _mount_tmpfs(folder, "3m")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_during_a_forced_rerun_keeps_the_previous_edition(
    tmp_path, data_dir, small_disk, monkeypatch
):
    notebooks = _suite_with(tmp_path, "70_fill_disk")
    options = _options(tmp_path, data_dir, notebooks_dir=notebooks, outputs_dir=small_disk,
                       html=True)  # fmt: skip
    assert runner.run(["putuo"], [2022], **options).ok
    dest = small_disk / "putuo" / "putuo" / "2022" / "en"
    before = _snapshot(dest)
    assert before["00_count.html"] and before["90_report.html"]
    monkeypatch.setenv("UT_FIXTURE_FILL_MB", "8")  # more than the disk holds
    summary = runner.run(["putuo"], [2022], force=True, **options)
    result = summary.results[0]
    assert not summary.ok and result.status in ("failed", "error")
    filler = {n.notebook: n for n in result.notebooks}["70_fill_disk"]
    assert filler.status == "failed" and "No space left on device" in filler.error
    assert _snapshot(dest) == before  # every HTML, the report and the manifest as they were
    assert _partials(small_disk) == []
    # With room again (the failed attempt is superseded by the next one), the run completes.
    monkeypatch.setenv("UT_FIXTURE_FILL_MB", "0")
    again = runner.run(["putuo"], [2022], force=True, **options)
    assert again.ok, runner.failure_lines(again)
    assert not (small_disk / "_failed" / "putuo" / "putuo" / "2022" / "en").exists()


@pytest.mark.notebooks
def test_sigkill_mid_export_keeps_previous_outputs_and_next_run_completes(tmp_path, data_dir):
    notebooks = _suite_with(tmp_path)
    options = _options(tmp_path, data_dir, notebooks_dir=notebooks, html=True)
    assert runner.run(["putuo"], [2022], **options).ok
    dest = _dest(tmp_path)
    before = _snapshot(dest)
    marker = tmp_path / "exporting"
    # The CLI, with the HTML export of 01_lang stopping half-way (as a slow disk would).
    argv = _cli(data_dir, notebooks, tmp_path / "out", "--force", "--html")[1:]
    code = (
        "import sys, time\nfrom pathlib import Path\n"
        "import uniontrends.present.export as export\n"
        "real = export.notebook_to_html\n"
        "def half(nb, path, title=None):\n"
        "    if Path(path).stem != '01_lang':\n"
        "        return real(nb, path, title=title)\n"
        "    Path(path).write_text('<html><body>half an export')\n"
        f"    Path({str(marker)!r}).touch()\n"
        "    time.sleep(60)\n"
        "export.notebook_to_html = half\n"
        "from uniontrends.cli import app\n"
        f"app({argv!r})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for(marker.exists, proc)
        (half,) = dest.parent.glob(".en.tmp-*/01_lang.html")
        assert half.read_text().endswith("half an export")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _snapshot(dest) == before
    assert len(_partials(tmp_path / "out")) == 1  # the hidden attempt, never published
    rerun = runner.run(["putuo"], [2022], force=True, **options)
    assert rerun.ok and _partials(tmp_path / "out") == []
    assert "half an export" not in (dest / "01_lang.html").read_text()


@pytest.mark.notebooks
def test_ctrl_c_stops_kernels_within_5_s_keeps_the_edition_and_exits_130(tmp_path, data_dir):
    signum = signal.SIGINT  # SIGTERM takes the same path (the CLI maps it to Ctrl-C)
    notebooks = _suite_with(tmp_path, "50_env_sleep")
    out = tmp_path / "out"
    assert runner.run(["putuo"], [2022], **_options(tmp_path, data_dir, notebooks_dir=notebooks)).ok
    dest = _dest(tmp_path)
    before = _snapshot(dest)
    marker = f"UT_TEST_RUN_{os.getpid()}_{signum}"
    env = {**os.environ, "UT_FIXTURE_SLEEP": "60", marker: "1"}
    proc = subprocess.Popen(_cli(data_dir, notebooks, out, "--force"), env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        # 01_lang saved in the attempt: 50_env_sleep is now sleeping in its kernel.
        _wait_for(lambda: list(dest.parent.glob(".en.tmp-*/01_lang.ipynb")), proc)
        assert _processes_with(marker) != [proc.pid]  # a kernel runs besides the runner
        sent = time.monotonic()
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stdout + stderr
    assert took < 5, f"exited {took:.1f} s after the signal"
    text = " ".join(stdout.split())
    assert "Interrupted: nothing half-done was published; kept:" in text
    assert "putuo 2022 en: cancelled; revision 1 of " in text
    assert "Traceback" not in stdout + stderr
    assert _snapshot(dest) == before and _partials(out) == []
    _wait_for(lambda: not _processes_with(marker), seconds=3)  # no kernel left behind


def test_symbolic_links_out_of_the_outputs_folder_are_never_followed(tmp_path, data_dir):
    outside = tmp_path / "outside"
    (outside / "2022" / "en").mkdir(parents=True)
    precious = outside / "2022" / "en" / "precious.txt"
    precious.write_text("keep me")
    out = tmp_path / "out"
    # _failed/<package>/<region> points outside: a failure must not delete or write there.
    (out / "_failed" / "putuo").mkdir(parents=True)
    (out / "_failed" / "putuo" / "putuo").symlink_to(outside, target_is_directory=True)
    options = _options(tmp_path, data_dir, lang="zh")  # 01_lang fails in Chinese
    summary = runner.run(["putuo"], [2022], **options)
    result = summary.results[0]
    assert result.status == "failed" and "symbolic link" in result.error
    assert precious.read_text() == "keep me" and sorted(outside.rglob("*")) == [
        outside / "2022", outside / "2022" / "en", precious,
    ]  # fmt: skip
    assert _partials(out) == []  # the attempt that could not be kept is removed
    # An edition folder that is a link is refused too, and nothing behind it is touched.
    (out / "putuo" / "dinghai").mkdir(parents=True)
    (out / "putuo" / "dinghai" / "2022").symlink_to(outside, target_is_directory=True)
    linked = runner.run(["dinghai"], [2022], **_options(tmp_path, data_dir))
    assert linked.results[0].status == "error" and "symbolic link" in linked.results[0].error
    assert sorted(outside.rglob("*")) == [outside / "2022", outside / "2022" / "en", precious]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.notebooks
def test_a_dask_worker_killed_mid_grid_leaves_every_edition_published_whole_or_failed(
    tmp_path, data_dir
):
    """A real cluster: `dask scheduler` and two `dask worker` processes on localhost."""
    import pandas as pd
    from uniontrends.data.digests import sha256_file
    from uniontrends.run.manifest import read_manifest

    notebooks = _suite_with(tmp_path, "50_env_sleep")
    address = f"tcp://127.0.0.1:{_free_port()}"
    dask = str(Path(sys.executable).parent / "dask")
    env = {**os.environ, "UT_FIXTURE_SLEEP": "2"}  # each edition long enough to be cut
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port",
                               address.rsplit(":", 1)[1], "--no-dashboard"], **quiet)]  # fmt: skip
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1",
                                           "--no-nanny", "--no-dashboard"], **quiet))  # fmt: skip
        workers = procs[1:]
        from dask.distributed import Client

        with Client(address, timeout=60) as client:  # a busy machine starts them slowly
            client.wait_for_workers(2, timeout=120)
        out = tmp_path / "out"
        region_root = out / "putuo"
        killed: list[int] = []

        def kill_one_worker_mid_edition() -> None:
            # As soon as an edition's attempt exists, kill a worker (SIGKILL: no clean-up).
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not list(region_root.glob("*/*/.en.tmp-*")):
                time.sleep(0.05)
            time.sleep(1.0)
            workers[0].kill()
            killed.append(workers[0].pid)

        killer = threading.Thread(target=kill_one_worker_mid_edition)
        killer.start()
        summary = runner.run(
            ["putuo", "dinghai"], [2021, 2022], window=3, scheduler=address, n_jobs=2,
            **_options(tmp_path, data_dir, notebooks_dir=notebooks),
        )  # fmt: skip
        killer.join()
    finally:
        for proc in reversed(procs):
            proc.kill()
            proc.wait(timeout=10)
    assert killed, "no worker was killed mid-grid"
    assert len(summary.results) == 4
    for result in summary.results:
        dest = Path(result.dest)
        if result.status == "written":
            # Published whole: every product the manifest lists, byte for byte.
            man = read_manifest(dest)
            assert set(man["notebooks"]) == {"00_count", "01_lang", "50_env_sleep", "90_report"}
            for record in man["notebooks"].values():
                assert record["status"] == "ok" and record["products"]
                for rel, digest in record["products"].items():
                    assert sha256_file(dest / rel) == digest
            # And correct: the window's sum, computed independently.
            frame = pd.read_csv(data_dir / "annual" / f"{result.region}.csv")
            window = frame[frame["year"].between(result.year - 2, result.year)]
            found = json.loads((dest / "00_count" / "findings.json").read_text())
            assert found[0]["value"] == pytest.approx(window["value"].sum())
        else:
            assert result.status in ("failed", "error"), result
            assert not dest.exists() and result.error
    assert sum(r.status == "written" for r in summary.results) >= 3, runner.failure_lines(summary)
    # Nothing half-written is visible: the killed attempt was cleaned up by the retry.
    assert [p for p in _partials(out) if "_failed" not in p.parts] == []
