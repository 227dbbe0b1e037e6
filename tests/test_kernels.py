"""The warm-kernel pool: kernels launched ahead and preloaded, lent out up to a limit, reused."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import nbformat
import pytest
from uniontrends.run import execution, kernels

pytestmark = pytest.mark.kernels


@pytest.fixture(autouse=True)
def no_kernel_left() -> None:
    yield
    kernels.discard_idle()
    assert kernels.shutdown_all() == 0, "a test left a kernel running"


def _notebook(path: Path, *sources: str) -> Path:
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def _printed(kernel: kernels.WarmKernel, code: str, cwd: Path) -> str:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    assert execution.execute(nb, kernel, timeout=60, cwd=cwd) is None
    return "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()


def test_import_lines_are_the_notebooks_one_line_imports_in_first_seen_order(tmp_path):
    first = _notebook(tmp_path / "a.ipynb", "import os\nx = 1\nfrom json import (\n  dumps)")
    second = _notebook(tmp_path / "b.ipynb", "import os\n  import sys\nfrom pathlib import Path")
    markdown = tmp_path / "c.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("import re")]),
                   markdown)  # fmt: skip
    broken = tmp_path / "d.ipynb"
    broken.write_text("not json", encoding="utf-8")  # fails later, in its own run
    assert kernels.import_lines([first, broken, second, markdown]) == [
        "import os",
        "from pathlib import Path",
    ]


def test_a_launched_kernel_is_lent_first_with_its_imports_and_a_clean_namespace(tmp_path):
    nb = _notebook(
        tmp_path / "nb.ipynb", "import uniontrends.data.textfile\nimport no_such_module_xyz"
    )
    env = {"UNIONTRENDS_TEST": "1"}
    [launched] = kernels.prestart(1, tmp_path, env, kernels.preload_code([nb]))
    with kernels.borrowed(tmp_path, env) as kernel:
        assert kernel is launched
        # The notebook's import ran (the failing one is left to the notebook), nothing defined.
        shown = _printed(
            kernel,
            "import sys\nprint('uniontrends.data.textfile' in sys.modules,"
            " sorted(k for k in globals() if not k.startswith('_') and k not in"
            " ('In', 'Out', 'exit', 'quit', 'get_ipython', 'open', 'sys')))",
            tmp_path,
        )
    assert shown == "True []"


def test_a_returned_kernel_is_reused_and_a_broken_one_is_stopped(tmp_path):
    with kernels.borrowed(tmp_path) as first:
        pass
    with kernels.borrowed(tmp_path) as second:
        assert second is first
        second.broken = True  # as after a cell timeout: busy, not to be lent again
    with kernels.borrowed(tmp_path) as third:
        assert third is not first and third.alive()
    assert not first.km.has_kernel


def test_another_environment_gets_its_own_kernel_within_the_limit(tmp_path):
    [launched] = kernels.prestart(1, tmp_path, {"UNIONTRENDS_TEST": "a"})
    with kernels.borrowed(tmp_path, {"UNIONTRENDS_TEST": "b"}, limit=1) as kernel:
        assert kernel is not launched
        assert _printed(kernel, "import os; print(os.environ['UNIONTRENDS_TEST'])", tmp_path) == "b"
        # With a limit of one kernel, the idle one of the other environment made room.
        assert not launched.km.has_kernel


@pytest.mark.parametrize("limit", [1, 2])
def test_no_more_kernels_are_lent_at_once_than_the_limit(tmp_path, limit):
    kernels.prestart(limit, tmp_path)
    lent, most = [0], [0]
    lock = threading.Lock()

    def notebook() -> None:
        with kernels.borrowed(tmp_path, limit=limit):
            with lock:
                lent[0] += 1
                most[0] = max(most[0], lent[0])
            time.sleep(0.5)
            with lock:
                lent[0] -= 1

    threads = [threading.Thread(target=notebook) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == limit


def test_notebook_json_is_read_without_nbformat(tmp_path):
    # Plain JSON with the source as a list of lines, as Jupyter saves it.
    path = tmp_path / "saved.ipynb"
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["import math\n", "y = 2\n"]}  # fmt: skip
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}), encoding="utf-8")  # fmt: skip
    assert kernels.import_lines([path]) == ["import math"]


def test_a_freed_kernel_goes_to_the_lowest_priority_number_then_the_longest_waiting(tmp_path):
    order: list[str] = []

    def notebook(name: str, priority: int) -> None:
        with kernels.borrowed(tmp_path, priority=priority):
            order.append(name)

    with kernels.borrowed(tmp_path):  # the only kernel (limit 1) is lent out
        threads = []
        for name, priority in [("late region-year", 5), ("early, first", 1), ("early, next", 1)]:
            threads.append(threading.Thread(target=notebook, args=(name, priority)))
            threads[-1].start()
            time.sleep(0.3)  # each waits before the next arrives
    for thread in threads:
        thread.join()
    assert order == ["early, first", "early, next", "late region-year"]


def test_kill_all_kills_lent_kernels_and_a_cancelled_borrower_stops_waiting(tmp_path):
    stop = threading.Event()
    outcome: list[str] = []

    def waiting_borrower() -> None:
        try:
            with kernels.borrowed(tmp_path, limit=1, cancelled=stop.is_set):
                outcome.append("lent")
        except kernels.PoolInterrupted:
            outcome.append("interrupted")

    with kernels.borrowed(tmp_path, limit=1) as kernel:
        waiter = threading.Thread(target=waiting_borrower)
        waiter.start()
        time.sleep(0.3)  # it waits: the only kernel is lent out
        stop.set()
        started = time.monotonic()
        assert kernels.kill_all() == 1
        waiter.join(timeout=5)
        assert outcome == ["interrupted"] and time.monotonic() - started < 2
        deadline = time.monotonic() + 5
        while kernel.km.provisioner.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert kernel.km.provisioner.process.poll() is not None  # the process is gone
        assert not kernel.alive()
