"""The `uniontrends` command line: validate data, run the suite, and the annual cycle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from uniontrends import __version__, config

app = typer.Typer(
    help="Five-year trend analysis of trade-union work: validate, run, compare editions.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@app.command()
def synth(
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data folder (default: the project's data/).")
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Base random seed of the synthetic panels.")
    ] = 2022,
) -> None:
    """Regenerate the SYNTHETIC annual panels data/annual/<region>.csv (deterministic)."""
    from uniontrends.data.synthetic import write_annual
    from uniontrends.errors import UniontrendsError

    try:
        paths = write_annual(data_dir or config.DATA_DIR, seed=seed)
    except UniontrendsError as error:
        raise _fail(error) from error
    for path in paths:
        typer.echo(f"wrote {path} (synthetic)")


def _codes(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="The new package's folder (empty or absent).")],
    region: Annotated[
        str | None, typer.Option("--region", help="First region's id (default: the folder's).")
    ] = None,
    name_en: Annotated[str, typer.Option("--name-en", help="The region's English name.")] = "",
    name_zh: Annotated[str, typer.Option("--name-zh", help="The region's Chinese name.")] = "",
    title_en: Annotated[str, typer.Option("--title-en", help="The federation, in English.")] = "",
    title_zh: Annotated[str, typer.Option("--title-zh", help="The federation, in Chinese.")] = "",
    country: Annotated[str, typer.Option("--country", help="ISO3 code, e.g. chn.")] = "",
    peers: Annotated[str, typer.Option("--peers", help="ISO3 codes, e.g. jpn,kor.")] = "",
    include: Annotated[
        str,
        typer.Option("--include", help="Built-in indicators, e.g. union_members,employees; all."),
    ] = "",
    reference: Annotated[
        bool,
        typer.Option("--reference/--no-reference", help="Copy the real ILOSTAT/OECD series."),
    ] = True,
) -> None:
    """Start a data package: package, regions and indicators files, annual/, README."""
    from uniontrends.data.starter import write_starter_package
    from uniontrends.errors import UniontrendsError
    from uniontrends.safe import terminal_text

    try:
        written = write_starter_package(
            folder, region=region, name_en=name_en, name_zh=name_zh, title_en=title_en,
            title_zh=title_zh, country=country.lower(), peers=[c.lower() for c in _codes(peers)],
            include=_codes(include) or None,
            reference_from=config.DATA_DIR / "reference" if reference else None,
        )  # fmt: skip
    except UniontrendsError as error:
        raise _fail(error) from error
    annual = next(p for p in written if p.parent.name == "annual" and p.suffix == ".csv")
    # the folder is the user's own text: shown as written, never as terminal controls
    typer.echo(terminal_text(f"wrote {len(written)} files in {folder}: fill in {annual}, then run"))
    typer.echo(terminal_text(f"  uniontrends validate {folder}"))
    typer.echo(terminal_text(f"  uniontrends run --data-dir {folder} --region {annual.stem}"))


@app.command()
def validate(
    data_dir: Annotated[
        Path | None, typer.Argument(help="Data folder (default: the project's data/).")
    ] = None,
) -> None:
    """Check every file of a package; print "ok" with counts (every file) or every problem."""
    from uniontrends.data.package import validate_package
    from uniontrends.safe import terminal_text

    report = validate_package(data_dir or config.DATA_DIR)
    typer.echo(report.summary())
    for problem in report.problems:  # a problem quotes the data: shown as written
        typer.echo(terminal_text(f"  - {problem}"))
    if not report.ok:
        raise typer.Exit(1)


# ---- batch run -------------------------------------------------------------------------------


@app.command()
def run(
    region: Annotated[
        str | None,
        typer.Option(
            "--region", help="Regions, e.g. putuo or putuo,dinghai or all (default: the first)."
        ),
    ] = None,
    year: Annotated[
        str, typer.Option("--year", help="Years, e.g. 2022 or 2020-2022; latest = newest in data.")
    ] = "latest",
    window: Annotated[int, typer.Option("--window", help="Years per analysis window.")] = 5,
    lang: Annotated[
        str, typer.Option("--lang", help="en, zh, or en,zh for both editions in one run.")
    ] = "en",
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel worker slots.")] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask: 'local' (LocalCluster) or tcp://HOST:8786."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-run even cached notebooks.")] = False,
    isolate: Annotated[
        bool, typer.Option("--isolate", help="A fresh kernel per notebook (slower).")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds allowed per cell (more than 0).")
    ] = 300,
    lock_timeout: Annotated[
        float,
        typer.Option("--lock-timeout", help="Seconds to wait for an edition another run writes."),
    ] = 0,
    html: Annotated[bool, typer.Option("--html/--no-html", help="Export HTML.")] = True,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data folder (default: the project's data/).")
    ] = None,
    notebooks_dir: Annotated[
        Path | None, typer.Option("--notebooks-dir", help="Notebooks (default: notebooks/).")
    ] = None,
    outputs_dir: Annotated[
        Path | None, typer.Option("--outputs-dir", help="Outputs root (default: outputs/).")
    ] = None,
) -> None:
    """Run the notebooks for regions x years x languages into
    outputs/<package>/<region>/<year>/<lang>/ (cached; each edition published whole)."""
    import signal

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from uniontrends.data.package import open_package
    from uniontrends.errors import UniontrendsError
    from uniontrends.notebook.params import parse_region_spec, resolve_year_spec
    from uniontrends.run import publish, runner
    from uniontrends.run.schedulers import SchedulerError, scheduler_kind
    from uniontrends.safe import rich_text, terminal_text

    console = Console(highlight=False, soft_wrap=True)  # paths and errors stay on one line
    # SIGTERM (a service manager, `kill`) stops the run as Ctrl-C does: kernels stopped,
    # nothing half-done published. SIGINT too, explicitly: a process started with SIGINT
    # ignored (a script's background job, a test worker) would otherwise never see Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        try:
            package = open_package(data_dir or config.DATA_DIR)
            regions = parse_region_spec(region or _first_region(package), package)
            outputs = outputs_dir or config.OUTPUTS_DIR
            jobs_planned = runner.plan(
                regions, resolve_year_spec(year, regions, package), window=window, lang=lang,
                data_dir=package.root, notebooks_dir=notebooks_dir or config.NOTEBOOKS_DIR,
                outputs_dir=outputs, force=force, isolate=isolate, timeout=timeout,
                lock_timeout=lock_timeout, html=html,
                source_root=config.PROJ_ROOT,
            )  # fmt: skip
            scheduler_kind(scheduler)
            for old, new in publish.migrate_legacy(Path(outputs), package.info.id, package.root):
                console.print(rich_text(f"moved {old} to {new} (outputs per package and language)"))
            # A fully cached run has nothing to validate again; kernels boot meanwhile.
            pending = runner.notebooks_to_run(jobs_planned)
            if pending and not scheduler:
                runner.launch_kernels(jobs_planned, min(jobs, pending))
            if pending:
                runner.check_data(package.root)
        except (UniontrendsError, OSError) as error:
            runner.stop_kernels()
            typer.echo(f"error: {terminal_text(error)}", err=True)
            raise typer.Exit(2) from error
    except KeyboardInterrupt:
        runner.stop_kernels()
        typer.echo("interrupted before any notebook ran: nothing was written", err=True)
        _exit_now(130)
    for job in jobs_planned:
        if job.window < window:
            start = job.year - job.window + 1
            console.print(rich_text(
                f"{job.region} {job.year}: window {start}-{job.year} ({job.window} years, not "
                f"{window}): the region's data start in {start}"
            ))  # fmt: skip
    total = sum(len(j.notebooks) for j in jobs_planned)
    marks = {"ran": ("ran", "green"), "cached": ("cached", "dim"),
             "skipped": ("skipped", "yellow"), "cancelled": ("cancelled", "yellow")}  # fmt: skip
    try:
        with Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("notebooks", total=total)

            def on_notebook(label: str, nb: runner.NotebookResult) -> None:
                mark = marks.get(nb.status, ("FAILED", "bold red"))
                extra = f" ({nb.reason})" if nb.status in ("ran", "skipped") else ""
                if nb.status == "failed":
                    extra = f": {nb.kind} in cell {nb.cell}: {nb.error}"
                # an error quotes the notebook and its data: never read as rich markup
                line = rich_text(f"{label} {nb.notebook:<28} ", mark,
                                 f" {nb.seconds:6.1f} s{extra}")  # fmt: skip
                progress.console.print(line)
                progress.advance(task)

            summary = runner.run_jobs(
                jobs_planned, n_jobs=jobs, scheduler=scheduler, on_notebook=on_notebook
            )
    except SchedulerError as error:
        typer.echo(f"error: {terminal_text(error)}", err=True)
        raise typer.Exit(2) from error
    counts = summary.counts()
    for result in summary.results:
        if result.status == "unchanged":
            console.print(rich_text(
                f"{result.label}: skipped all {len(result.notebooks)} notebooks (notebook, "
                "parameters, data, library, packages, options and products unchanged; --force "
                "re-runs)"
            ))  # fmt: skip
        elif result.status == "written":
            console.print(rich_text(
                f"{result.label}: published revision {result.revision} in {result.dest}"
            ))  # fmt: skip
    root = jobs_planned[0].paths.root / jobs_planned[0].package if jobs_planned else ""
    console.print(rich_text(
        f"{counts['ran']} ran, {counts['cached']} cached, {counts['failed']} failed, "
        f"{counts['locked']} edition(s) busy, {counts['not published']} not published in "
        f"{summary.seconds:.1f} s; outputs under {root}"
    ))  # fmt: skip
    if summary.cancelled:
        console.print(rich_text(("Interrupted:", "bold yellow"),
                                " nothing half-done was published; kept:"))  # fmt: skip
        for result in summary.results:
            console.print(rich_text(f"  - {result.label}: {result.status}; {result.kept}"))
        _exit_now(130)
    failures = runner.failure_lines(summary)
    if failures:
        console.print(rich_text(("Failures:", "bold red")))
        for line in failures:
            console.print(rich_text(f"  - {line}"), soft_wrap=True)
        raise typer.Exit(1)


def _first_region(package: object) -> str:
    """The default region: the project's for the bundled package, else the package's first."""
    ids = package.region_ids()  # type: ignore[attr-defined]
    return config.DEFAULT_REGION if config.DEFAULT_REGION in ids or not ids else ids[0]


def _exit_now(code: int) -> NoReturn:
    """Exit at once after Ctrl-C, the kernels stopped and the summary printed.

    Tearing down an interpreter that imported nbconvert, nbclient and zmq takes seconds on a
    busy machine (no Python code runs then, only finalizers); an interrupted run must return
    promptly, and everything it had to do is done: nothing half-done was published, and a
    hidden attempt it could not remove is cleaned up by the next run.
    """
    import os
    import sys

    from uniontrends.run import runner

    runner.stop_kernels()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# ---- annual cycle: template, add-year, diff, pdf --------------------------------------------


def _fail(error: Exception) -> typer.Exit:
    from uniontrends.safe import terminal_text

    typer.echo(f"error: {terminal_text(error)}", err=True)  # messages quote the data
    return typer.Exit(1)


@app.command()
def template(
    region: Annotated[str, typer.Option("--region", help="Region slug, e.g. putuo.")],
    year: Annotated[int, typer.Option("--year", help="The year to fill in.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write.")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data folder (default: the project's data/).")
    ] = None,
    new_region: Annotated[
        bool, typer.Option("--new-region", help="A region the package does not have yet.")
    ] = False,
) -> None:
    """Write the Excel workbook to fill in for one region and year (last year shown)."""
    from uniontrends.cycle.template import write_template
    from uniontrends.data.package import open_package
    from uniontrends.errors import UniontrendsError

    try:
        package = open_package(data_dir or config.DATA_DIR)
        path = write_template(package, region, year, output, new_region=new_region)
    except UniontrendsError as error:
        raise _fail(error) from error
    typer.echo(f"wrote {path}: fill in sheet 'data', then run `uniontrends add-year {path}`")


@app.command("add-year")
def add_year_command(
    workbook: Annotated[Path, typer.Argument(help="The filled-in template (.xlsx).")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data folder (default: the project's data/).")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a year already present (backup kept).")
    ] = False,
    accept_outliers: Annotated[
        bool, typer.Option("--accept-outliers", help="Accept values >3x or <1/3 of last year.")
    ] = False,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="Accept blanks for last year's indicators.")
    ] = False,
    new_region: Annotated[
        bool, typer.Option("--new-region", help="Start a region the package does not have yet.")
    ] = False,
) -> None:
    """Validate a filled-in workbook, show the changes and append the year to data/annual."""
    from rich.console import Console
    from rich.table import Table

    from uniontrends.cycle.add_year import apply_plan, plan_add_year
    from uniontrends.data.package import open_package
    from uniontrends.errors import UniontrendsError
    from uniontrends.safe import rich_text, terminal_text

    try:
        package = open_package(data_dir or config.DATA_DIR)
        plan = plan_add_year(workbook, package, new_region=new_region)
    except UniontrendsError as error:
        raise _fail(error) from error
    year = plan.intake.year
    table = Table(title=rich_text(f"{plan.intake.region} {year} vs {year - 1}"))
    for col in ("indicator", "name", f"{year - 1}", f"{year}", "qualifier", "change", ""):
        table.add_column(col, justify="right" if col[:1].isdigit() or col == "change" else "left")
    for rec in plan.changes.to_dict("records"):
        last = "" if rec["last"] != rec["last"] else f"{rec['last']:,.6g}"
        change = "" if rec["change"] != rec["change"] else f"{rec['change']:+.1%}"
        flag = rich_text(("check: >3x or <1/3", "bold red")) if rec["outlier"] else ""
        value = "missing" if rec["value"] != rec["value"] else f"{rec['value']:,.6g}"
        name = rec["name_zh"] if package.info.is_chinese else rec["name_en"]
        # names and ids come from the workbook and the catalog: cells are Text, not markup
        table.add_row(rich_text(rec["indicator"]), rich_text(name), last, value,
                      rich_text(rec["qualifier"]), change,
                      flag)  # fmt: skip
    console = Console(width=140)  # room for Chinese names without wrapping
    console.print(table)
    if plan.intake.blank:
        console.print(rich_text(f"not reported (blank): {', '.join(plan.intake.blank)}"))
    try:
        result = apply_plan(plan, package.catalog, replace, accept_outliers, allow_missing)
    except UniontrendsError as error:
        raise _fail(error) from error
    typer.echo(terminal_text(
        f"added {result.rows_added} rows for {result.region} {result.year} to {result.csv_path}"
        + (f" (replaced {result.rows_replaced}; backup {result.backup_path})"
           if result.backup_path else "")
    ))  # fmt: skip
    if result.region not in package.regions:
        typer.echo(terminal_text(
            f"{result.region} is new: give it names in {package.root / 'regions.yaml'}"
        ))  # fmt: skip


def _edition_folder(
    outputs: Path, package_dir: Path, region: str, year: int, lang: str
) -> tuple[Path | None, Path]:
    """(the published edition to read or None, where it would be) for the CLI's diff."""
    from uniontrends.data.package import open_package
    from uniontrends.notebook.params import check_region_slug
    from uniontrends.present import layout
    from uniontrends.run.publish import migrate_legacy

    package = open_package(package_dir)
    migrate_legacy(outputs, package.info.id, package.root)
    paths = layout.edition_paths(outputs, package.info.id, check_region_slug(region), year, lang)
    return layout.find_edition(outputs, package.info.id, region, year, lang), paths.dest


@app.command()
def diff(
    region: Annotated[str, typer.Option("--region", help="Region slug.")],
    year_from: Annotated[int, typer.Option("--from", help="The earlier edition's year.")],
    year_to: Annotated[int, typer.Option("--to", help="The later edition's year.")],
    outputs_dir: Annotated[
        Path | None, typer.Option("--outputs-dir", help="Outputs folder (default: outputs/).")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="The data package the editions are of (default: data/)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="en or zh.")] = "en",
    show_all: Annotated[bool, typer.Option("--all", help="Also list unchanged findings.")] = False,
) -> None:
    """Show findings that are new, gone, strengthened, weakened or reversed between editions."""
    from rich.console import Console
    from rich.table import Table

    from uniontrends.errors import UniontrendsError
    from uniontrends.findings.editions import diff_editions
    from uniontrends.safe import rich_text

    outputs = Path(outputs_dir or config.OUTPUTS_DIR)
    try:
        folders = []
        for year in (year_from, year_to):
            found, expected = _edition_folder(
                outputs, Path(data_dir or config.DATA_DIR), region, year, lang
            )
            if found is None:
                raise UniontrendsError(
                    f"no edition of {region} {year} ({lang}): no findings.json under {expected}; "
                    f"run `uniontrends run --region {region} --year {year}` first"
                )
            folders.append(found)
        changes = diff_editions(*folders)
    except UniontrendsError as error:
        raise _fail(error) from error
    shown = changes if show_all else changes[changes["change"] != "unchanged"]
    table = Table(
        title=rich_text(f"{region}: {year_from} → {year_to} ({len(shown)} of {len(changes)})")
    )
    for col in ("change", "id", "evidence", "direction", "value", "statement"):
        table.add_column(col)
    statement = "statement_zh" if lang == "zh" else "statement_en"
    for rec in shown.to_dict("records"):
        # statements carry names from the data package: cells are Text, never rich markup
        table.add_row(
            rich_text(rec["change"]),
            rich_text(rec["id"]),
            rich_text(f"{rec['evidence_before']} → {rec['evidence_after']}"),
            rich_text(f"{rec['direction_before']} → {rec['direction']}"),
            f"{rec['value_before']:.4g} → {rec['value']:.4g}",
            rich_text("[synthetic] " if rec["synthetic"] else "", str(rec[statement])),
        )
    Console(width=200).print(table)


@app.command()
def explore(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8866,
) -> None:
    """Serve the explorer as a web page (Voilà, no code shown) on http://127.0.0.1:PORT/."""
    import os
    import subprocess

    from uniontrends.notebook.explorer import voila_command

    command, env = voila_command(config.NOTEBOOKS_DIR / "explore.ipynb", port)
    typer.echo(f"explorer on http://127.0.0.1:{port}/ (Ctrl-C stops it)")
    try:
        raise typer.Exit(subprocess.call(command, env={**os.environ, **env}))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.command()
def pdf(
    folder: Annotated[
        Path, typer.Argument(help="An edition's folder, e.g. outputs/putuo/putuo/2022/en.")
    ],
    outputs_dir: Annotated[
        Path | None,
        typer.Option(
            "--outputs-dir", help="The outputs folder it must lie in (default: outputs/)."
        ),
    ] = None,
) -> None:
    """Print <folder>/90_annual_report.html to PDF with headless Chromium."""
    import warnings

    from uniontrends.errors import UniontrendsError
    from uniontrends.notebook.registry import load_registry
    from uniontrends.present import layout
    from uniontrends.present.pdf import report_pdf
    from uniontrends.safe import terminal_text

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # Only an edition inside the outputs folder, reached without a symbolic link.
            inside = layout.checked(outputs_dir or config.OUTPUTS_DIR, folder)
            reports = load_registry(config.NOTEBOOKS_DIR).of_kind("report")
            path = report_pdf(inside, tuple(spec.name for spec in reports))
        except (UniontrendsError, FileNotFoundError) as error:
            raise _fail(error) from error
    for w in caught:
        typer.echo(f"warning: {terminal_text(w.message)}", err=True)
    if path is not None:
        typer.echo(f"wrote {path}")
