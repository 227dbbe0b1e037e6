"""Interactive latencies (medians): what a researcher waits for in JupyterLab and the explorer.

(e) first cell of an area notebook on a started kernel: `import uniontrends as ut` and
    `ut.start(...)` (imports, data package opened and validated);      target <= 2 s
(f) Run All of an area notebook on a started kernel;                   target <= 3 s
(g) the explorer's redraw after a control change (a selection not drawn before);
                                                                       target <= 1 s
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from uniontrends import config
from uniontrends.run import execution, kernels

NOTEBOOK = config.NOTEBOOKS_DIR / "02_dispute_resolution.ipynb"


def _on_fresh_kernel(cells: list[str], out: Path) -> float:
    """Seconds to execute ``cells`` on a kernel that is started and idle (its start not timed)."""
    kernel = kernels.WarmKernel(config.NOTEBOOKS_DIR).connect()
    try:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        started = time.perf_counter()
        failure = execution.execute(nb, kernel, timeout=300, cwd=config.NOTEBOOKS_DIR)
        seconds = time.perf_counter() - started
        assert failure is None, failure
        return seconds
    finally:
        kernel.shutdown()


def _notebook_cells(out: Path) -> list[str]:
    """The notebook's code cells as papermill parameterizes them (the parameters cell keeps
    its defaults, whatever they are; the injected cell sends the outputs to ``out``)."""
    nb = execution.parameterized(NOTEBOOK, {"output_dir": str(out)})  # as the runner does
    code = [c for c in nb.cells if c.cell_type == "code"]
    injected = next(
        i for i, c in enumerate(code) if "injected-parameters" in c.metadata.get("tags", [])
    )
    cells = [c.source for c in code]
    # the first cell of a session: parameters, injected parameters and the cell after them
    # (ut.start(...) and the area's statistics)
    return ["\n".join(cells[: injected + 2]), *cells[injected + 2 :]]


def _redraws(reps: int) -> list[float]:
    from uniontrends.notebook import explorer

    app = explorer.Explorer(explorer.known_packages([config.DATA_DIR]))
    changes = [("area", "disputes"), ("indicator", "legal_aid_cases"), ("region", "dinghai"),
               ("indicator", "collective_agreements"), ("lang", "zh"), ("area", "welfare"),
               ("region", "daishan"), ("indicator", "assistance_beneficiaries")]  # fmt: skip
    times = []
    for name, value in changes[: max(reps, 3) + 2]:
        started = time.perf_counter()
        getattr(app, name).value = value
        times.append(time.perf_counter() - started)
        assert not app.message.value, app.message.value
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-interactive-") as tmp:
        out = Path(tmp)
        cells = _notebook_cells(out)
        first = statistics.median(_on_fresh_kernel(cells[:1], out) for _ in range(args.reps))
        run_all = statistics.median(_on_fresh_kernel(cells, out) for _ in range(args.reps))
    redraw = statistics.median(_redraws(args.reps))
    print(f"(e) first cell of {NOTEBOOK.stem} (imports, data)   {first:6.2f} s (target <= 2 s)")
    print(f"(f) Run All of {NOTEBOOK.stem}, started kernel       {run_all:6.2f} s (target <= 3 s)")
    print(f"(g) explorer redraw after a control change      {redraw:6.2f} s (target <= 1 s)")


if __name__ == "__main__":
    main()
