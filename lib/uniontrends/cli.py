"""The `uniontrends` command line: validate data, run the suite, and the annual cycle."""

from __future__ import annotations

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
