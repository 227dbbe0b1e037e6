"""Time the batch runner against a plain papermill + nbconvert CLI loop, cached reruns and a grid.

Usage: python benchmarks/bench_runner.py [--notebooks-dir DIR] [--reps 3] [--jobs N] [--quick]
(default: the real notebooks/ on the bundled data; tests/fixtures/notebooks/heavy is a lighter set)

Prints medians of repeated runs (seconds; (a), (b), (b2) run in alternating rounds) and the
ratios (a)/(b), (b)/(c), (d)/floor:
(a) papermill CLI + `jupyter nbconvert --to html --no-input` CLI per notebook, one region-year;
(b) `uniontrends run --force` (CLI, cold process) for the same region-year; (b2) with --jobs;
(c) `uniontrends run` again, everything cached (CLI, and in-process);
(d) a grid of region-years (window 3, extra SYNTHETIC regions) with --jobs = cores;
floor = time to start a kernel and import the notebooks' libraries x notebook runs / cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from uniontrends import config
from uniontrends.data import model
from uniontrends.notebook.registry import load_registry
from uniontrends.run import runner

BIN = Path(sys.executable).parent


def _medians_interleaved(fns: dict[str, Callable[[], object]], reps: int) -> dict[str, float]:
    """Median time of each function, run in rounds (a, b, a, b, ...) rather than one after
    another, so that the machine's speed drifting during the benchmark biases no ratio."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(ts) for name, ts in times.items()}


def _median(fn: Callable[[], object], reps: int) -> float:
    return _medians_interleaved({"": fn}, reps)[""]


def _sh(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _cli_loop(notebooks: list[Path], data: Path, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for nb in notebooks:
        executed = out / nb.name
        _sh([str(BIN / "papermill"), str(nb), str(executed), "-p", "region", "putuo",
             "-p", "year", "2022", "-p", "data_dir", str(data), "-p", "output_dir", str(out),
             "--cwd", str(nb.parent)])  # fmt: skip
        _sh([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])


def _cli_run(nbs: Path, data: Path, out: Path, *extra: str) -> None:
    _sh([str(BIN / "uniontrends"), "run", "--data-dir", str(data), "--notebooks-dir", str(nbs),
         "--outputs-dir", str(out), *extra])  # fmt: skip


def _kernel_floor(notebooks: list[Path], reps: int) -> float:
    """Median time to start a kernel and run the notebooks' own imports in it."""
    import nbformat
    from uniontrends.run import execution, kernels

    # what a kernel launched ahead runs: the notebooks' imports and the library's preload
    code = "import matplotlib; matplotlib.use('Agg')\n" + kernels.preload_code(notebooks)

    def once() -> None:
        kernel = kernels.WarmKernel(config.PROJ_ROOT).connect()
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        try:
            assert execution.execute(nb, kernel, timeout=300, cwd=config.PROJ_ROOT) is None
        finally:
            kernel.shutdown()

    return _median(once, reps)


def _grid_data(src: Path, dst: Path, extra_regions: int) -> list[str]:
    """Copy the data and add SYNTHETIC regions (Dinghai's profile, other seeds)."""
    from uniontrends.data import synthetic

    shutil.copytree(src, dst)
    regions_file = dst / model.REGIONS_FILE
    regions = yaml.safe_load(regions_file.read_text(encoding="utf-8"))
    reported, catalog = synthetic.read_reported(dst), synthetic.read_catalog(dst)
    for i in range(extra_regions):
        name = f"bench{i}"
        frame = synthetic.generate_panel(reported, catalog, name, seed=100 + i, profile="dinghai")
        frame.to_csv(dst / model.ANNUAL_DIR / f"{name}.csv", index=False)
        regions["regions"][name] = {"name_en": f"Bench {i} (synthetic)", "name_zh": f"示例{i}",
                                    "has_reported": False}  # fmt: skip
    regions_file.write_text(yaml.safe_dump(regions, allow_unicode=True), encoding="utf-8")
    return list(regions["regions"])


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks-dir", type=Path, default=config.NOTEBOOKS_DIR)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="1 repetition, 4 region-years")
    args = parser.parse_args(argv)
    reps = 1 if args.quick else args.reps
    nbs = args.notebooks_dir.resolve()
    names = load_registry(nbs).present().run_order()
    with tempfile.TemporaryDirectory(prefix="bench-runner-") as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data"
        shutil.copytree(config.DATA_DIR, data)
        paths = [nbs / f"{n}.ipynb" for n in names]
        print(f"notebooks: {nbs} ({len(names)}); reps {reps}; jobs {args.jobs}")
        jobs = str(args.jobs)
        cold = _medians_interleaved(
            {
                "a": lambda: _cli_loop(paths, data, tmp / "a"),
                "b": lambda: _cli_run(nbs, data, tmp / "b", "--force"),
                "b2": lambda: _cli_run(nbs, data, tmp / "b", "--force", "--jobs", jobs),
            },
            reps,
        )
        a, b, b2 = cold["a"], cold["b"], cold["b2"]
        print(f"(a) papermill + nbconvert CLI loop     {a:8.2f} s")
        print(f"(b) uniontrends run, cold (CLI)        {b:8.2f} s")
        print(f"(b2) same with --jobs {args.jobs}              {b2:8.2f} s")
        c_cli = _median(lambda: _cli_run(nbs, data, tmp / "b"), reps)
        c = _median(lambda: runner.run(["putuo"], [2022], data_dir=data, notebooks_dir=nbs,
                                       outputs_dir=tmp / "b", validate="auto"), reps)  # fmt: skip
        print(f"(c) fully cached rerun, CLI process    {c_cli:8.2f} s")
        print(f"(c) fully cached rerun, in-process     {c:8.3f} s")

        regions = _grid_data(config.DATA_DIR, tmp / "grid-data", 1 if args.quick else 4)
        years = [2022, 2021] if args.quick else [2020, 2021, 2022]
        regions = regions[:2] if args.quick else regions
        grid = len(regions) * len(years)
        runs = grid * len(names)

        def grid_run() -> None:
            summary = runner.run(
                regions, years, window=3, data_dir=tmp / "grid-data", notebooks_dir=nbs,
                outputs_dir=tmp / "d", n_jobs=args.jobs, force=True,
            )  # fmt: skip
            assert summary.ok, runner.failure_lines(summary)

        d = _median(grid_run, reps)
        start = _kernel_floor(paths, reps)
        floor = start * runs / args.jobs
        print(f"(d) grid {grid} region-years, {runs} notebook runs, --jobs {args.jobs}: {d:8.2f} s")
        print(f"    kernel start + imports {start:.2f} s -> floor {floor:.2f} s")
        print(f"ratios: (a)/(b) = {a / b:.2f} (target >= 4), (a)/(b2) = {a / b2:.2f}; "
              f"(b)/(c) = {b / c:.0f} "
              f"(cached in-process {c:.3f} s, CLI {c_cli:.2f} s; target < 1 s); "
              f"(d)/floor = {d / floor:.2f} (target <= 1.3)")  # fmt: skip


if __name__ == "__main__":
    main()
