"""The whole annual cycle on a copy of the bundled data: template, fill, add-year, run, diff."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner
from uniontrends import config
from uniontrends.cli import app
from uniontrends.cycle.template import fill_template
from uniontrends.findings.editions import diff_editions

pytestmark = pytest.mark.notebooks
CHANGED = "disputes_mediated"  # cut to a quarter in 2023, so its findings must change


def _values(data_dir: Path, year: int) -> dict[str, float]:
    with open(data_dir / "annual" / "putuo.csv", encoding="utf-8") as handle:
        return {r["indicator"]: float(r["value"]) for r in csv.DictReader(handle)
                if r["year"] == str(year)}  # fmt: skip


def test_annual_cycle(tmp_path: Path, run_report) -> None:
    data_dir = Path(shutil.copytree(config.PROJ_ROOT / "data", tmp_path / "data"))
    outputs = tmp_path / "outputs"
    runner = CliRunner()
    run_report(data_dir, outputs, "putuo", 2022)

    workbook = tmp_path / "putuo_2023.xlsx"
    made = runner.invoke(
        app, ["template", "--region", "putuo", "--year", "2023", "-o", str(workbook),
              "--data-dir", str(data_dir)]
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    last = _values(data_dir, 2022)
    values: dict[str, object] = {
        k: (v if k.startswith(("coverage", "app_satisf")) else round(v * 1.1))
        for k, v in last.items()
    }
    # One value typed the way a Chinese return writes it; 35,000 is within 3x of 2022.
    assert 35000 / 3 < last["new_form_members"] < 35000 * 3
    values["new_form_members"] = "3.5万"
    # Disputes rose in 2022; a sharp fall in 2023 turns that trend.
    values[CHANGED] = round(last[CHANGED] / 4)
    fill_template(workbook, values, source="test: synthetic 2023 return (2022 x 1.1)",
                  provenance="synthetic")  # fmt: skip

    args = ["add-year", str(workbook), "--data-dir", str(data_dir)]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and CHANGED in refused.output
    added = runner.invoke(app, [*args, "--accept-outliers"])
    assert added.exit_code == 0, added.output
    assert _values(data_dir, 2023)["new_form_members"] == 35000

    folder = run_report(data_dir, outputs, "putuo", 2023)
    changes = diff_editions(folder.parent.parent / "2022" / "en", folder)
    moved = changes[(changes["indicator"] == CHANGED) & (changes["change"] != "unchanged")]
    assert len(moved), changes[changes["indicator"] == CHANGED].to_string()
    shown = runner.invoke(
        app, ["diff", "--region", "putuo", "--from", "2022", "--to", "2023",
              "--outputs-dir", str(outputs)]
    )  # fmt: skip
    assert shown.exit_code == 0 and moved["id"].iloc[0] in shown.output

    if shutil.which("chromium"):  # the runner prints the report to PDF next to the HTML
        assert (folder / "90_annual_report.pdf").read_bytes().startswith(b"%PDF-")
    html = (folder / "90_annual_report.html").read_text(encoding="utf-8")
    section = html.split("What changed since the last edition", 1)[1]
    assert "No previous edition" not in section[:2000]
    assert moved["id"].iloc[0] in section
