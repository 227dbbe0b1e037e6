"""The second bundled example (examples/oecd-netherlands): real OECD series only, and the
whole suite on it says nothing about synthetic data or Putuo."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLE_DIR
from uniontrends import config
from uniontrends.data.package import open_package, validate_package
from uniontrends.data.reference import OECD_FILE, write_oecd_annual
from uniontrends.findings.record import read_findings
from uniontrends.notebook.registry import load_registry

NOTEBOOKS = load_registry(config.NOTEBOOKS_DIR).run_order()  # the notebooks a run runs
# Words that belong to synthetic data or to the first user's case, never to this package.
FOREIGN = ("synthetic", "Synthetic", "合成", "示例", "Putuo", "普陀", "1200余")


def _text(path: Path) -> str:
    """An exported notebook's visible text (no images, styles or scripts)."""
    page = re.sub(r"<style.*?</style>|<script.*?</script>|data:image/[^\"')]+", "",
                  path.read_text(encoding="utf-8"), flags=re.S)  # fmt: skip
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_table_is_the_oecd_series_as_written_by_the_tool(tmp_path: Path) -> None:
    fresh = write_oecd_annual(config.DATA_DIR / "reference" / OECD_FILE, "nld", tmp_path / "n.csv")
    committed = EXAMPLE_DIR / "annual" / "nld.csv"
    assert committed.read_bytes() == fresh.read_bytes()
    for name in ("oecd_trade_union_density.csv", "ilostat_union_density.csv", "README.md"):
        copy = EXAMPLE_DIR / "reference" / name
        assert copy.read_bytes() == (config.DATA_DIR / "reference" / name).read_bytes()


def test_one_source_no_synthetic_row_and_the_flags_carried() -> None:
    report = validate_package(EXAMPLE_DIR)
    assert report.ok, report.problems
    annual = open_package(EXAMPLE_DIR).annual
    assert set(annual["provenance"]) == {"official_annual"}
    assert annual["source"].str.contains(r"administrative data \(ADM\)").all()  # one source
    raw = pd.read_csv(config.DATA_DIR / "reference" / OECD_FILE, dtype={"Flag Codes": "string"})
    breaks = raw[(raw["COU"] == "NLD") & (raw["SOURCE"] == "ADM") & (raw["Flag Codes"] == "B")]
    series = {"TUM": "union_members", "EEM": "employees", "TUD": "union_density"}
    flagged = annual[annual["source"].str.endswith("; break in series")]
    assert sorted(zip(flagged["indicator"], flagged["year"], strict=True)) == sorted(
        (series[s], int(y)) for s, y in zip(breaks["SERIES"], breaks["TIME"], strict=True)
    )
    members = annual.set_index(["indicator", "year"]).loc[("union_members", 2018), "value"]
    assert members == 1_200_000  # 1,200 thousand in the OECD file


@pytest.mark.notebooks
def test_the_whole_suite_runs_on_it(example_suite: Path) -> None:
    assert sorted(p.stem for p in example_suite.glob("*.html")) == sorted(NOTEBOOKS)
    pages = {name: _text(example_suite / f"{name}.html") for name in NOTEBOOKS}
    for name, text in pages.items():
        assert "Traceback" not in text, name
        for word in FOREIGN:
            assert word not in text, f"{name}: {word!r}"
    for name in ("02_dispute_resolution", "03_welfare_impact", "04_skills_competitions"):
        assert "This package selects no indicator of" in pages[name]
        assert read_findings(example_suite / name / "findings.json") == []
    membership = read_findings(example_suite / "01_membership_coverage" / "findings.json")
    assert {f.indicator for f in membership if f.statistic == "trend"} == {
        "union_members", "employees", "union_density"
    }  # fmt: skip
    assert all(not f.synthetic and f.provenance == ["official_annual"] for f in membership)
    reference = read_findings(example_suite / "05_international_context" / "findings.json")
    assert {f.region for f in reference} == {"Netherlands", "Germany", "Belgium", "Denmark"}
    summary = read_findings(example_suite / "90_annual_report" / "findings.json")
    assert summary and {f.region for f in summary} == {"nld"}
    assert "Published figures" not in pages["90_annual_report"]
    assert "Netherlands: trade union members" in pages["90_annual_report"]  # its own title
