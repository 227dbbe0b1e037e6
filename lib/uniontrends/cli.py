"""The `uniontrends` command line: validate data, run the suite, and the annual cycle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from uniontrends import __version__

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
    from uniontrends.errors import UniontrendsError
    from uniontrends.synthetic import write_annual

    try:
        paths = write_annual(data_dir, seed=seed)
    except UniontrendsError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    for path in paths:
        typer.echo(f"wrote {path} (synthetic)")


@app.command()
def validate(
    data_dir: Annotated[
        Path | None, typer.Argument(help="Data folder (default: the project's data/).")
    ] = None,
) -> None:
    """Check the catalog, annual and reported tables; print "ok" with counts or every problem."""
    from uniontrends.validate import validate_dir

    report = validate_dir(data_dir)
    typer.echo(report.summary())
    for problem in report.problems:
        typer.echo(f"  - {problem}")
    if not report.ok:
        raise typer.Exit(1)
