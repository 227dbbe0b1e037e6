"""Bring your own data, end to end through the CLI (issue 16, "Done when").

A federation starts a package with `uniontrends init`, fills in real numbers (Norway's union
members and employees, OECD administrative series) with a gap and an indicator of its own
(union density from the OECD survey series, measured in two of the five years: two years
marked missing, one absent), validates it, runs the suite and its report. Every headline
statistic is then recomputed here with numpy, scipy and statsmodels called directly.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from uniontrends import config
from uniontrends.findings.record import Finding, read_findings

pytestmark = [pytest.mark.notebooks, pytest.mark.kernels]

CLI = str(Path(sys.executable).with_name("uniontrends"))
OWN = "union_density_survey"
OWN_ENTRY = (
    "indicators:\n  - {id: union_density_survey, area: membership, name_en: Union density "
    "(survey), name_zh: 入会率（调查）, unit: share, kind: rate, aggregation: last}\n"
)
WINDOW = list(range(2014, 2019))
FOREIGN = ("synthetic", "Synthetic", "合成", "示例", "Putuo", "普陀", "1200余")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=600)


def _text(path: Path) -> str:
    page = re.sub(r"<style.*?</style>|<script.*?</script>|data:image/[^\"')]+", "",
                  path.read_text(encoding="utf-8"), flags=re.S)  # fmt: skip
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _real_rows() -> tuple[list[str], pd.DataFrame]:
    """Norway's real OECD figures as annual rows, and the same numbers as a frame."""
    raw = pd.read_csv(config.DATA_DIR / "reference" / "oecd_trade_union_density.csv")
    nor = raw[raw["COU"] == "NOR"]
    rows, numbers = [], []
    for series, indicator in (("TUM", "union_members"), ("EEM", "employees")):
        sel = nor[(nor["SOURCE"] == "ADM") & (nor["SERIES"] == series)]
        for year, value in zip(sel["TIME"], sel["Value"], strict=True):
            if 2009 <= year <= 2018:
                persons = int(round(value * 1000))  # the file gives thousands
                rows.append(f"nor,{year},{indicator},{persons},exact,persons,"
                            "OECD TUD administrative data (ADM),official_annual,")  # fmt: skip
                numbers.append((indicator, int(year), float(persons)))
    survey = nor[(nor["SOURCE"] == "SVY") & (nor["SERIES"] == "TUD")].set_index("TIME")["Value"]
    for year in (2014, 2017):  # the federation's survey ran in these years only
        rows.append(f"nor,{year},{OWN},{survey[year] / 100:.3f},exact,share,"
                    "OECD TUD survey data (SVY),official_annual,")  # fmt: skip
    for year in (2015, 2016):
        rows.append(f"nor,{year},{OWN},,missing,share,OECD TUD survey data (SVY),"
                    "official_annual,no survey that year")  # fmt: skip
    frame = pd.DataFrame(numbers, columns=["indicator", "year", "value"])
    return rows, frame.pivot(index="year", columns="indicator", values="value")


def _check(finding: Finding, series: pd.DataFrame) -> None:
    """One finding against a direct calculation on the numbers written into the package."""
    derived = series["union_members"] / series["employees"]
    values = derived if finding.indicator == "union_density" else series.get(finding.indicator)
    if finding.statistic == "coverage":
        # stored indicators of the package with a value in every year of the window
        assert finding.value == pytest.approx(2 / 3)
        return
    y = values.loc[WINDOW].to_numpy(dtype=float)
    if finding.statistic == "trend":
        # stocks and a level share: graded by the mean yearly change, a one-sample t-test of
        # the year-to-year changes (t(n - 2)); no gap inside this window
        changes = np.diff(y)
        test = stats.ttest_1samp(changes, 0.0)
        low, high = test.confidence_interval(0.95)
        assert finding.method.startswith("mean yearly change"), finding.method
        assert finding.value == pytest.approx(changes.mean(), rel=1e-9)
        assert finding.interval_low == pytest.approx(low, rel=1e-9)
        assert finding.interval_high == pytest.approx(high, rel=1e-9)
        assert finding.p_value == pytest.approx(test.pvalue, rel=1e-9)
        assert finding.p_adjusted >= finding.p_value
    elif finding.statistic == "level_change":
        assert finding.value == pytest.approx(y[-1] - y[0])
        assert finding.effect == pytest.approx((y[-1] / y[0]) ** (1 / (len(y) - 1)) - 1)
    elif finding.statistic == "term_over_term":
        assert finding.value == pytest.approx(y[-1] / values.loc[2013] - 1)
    elif finding.statistic == "share_end":
        k, n = series.loc[2018, "union_members"], series.loc[2018, "employees"]
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert finding.value == pytest.approx(k / n)
        assert (finding.interval_low, finding.interval_high) == pytest.approx((low, high))
    else:
        raise AssertionError(f"no independent calculation for {finding.statistic!r}")


def test_a_new_federation_brings_its_own_data(tmp_path: Path) -> None:
    package, outputs = tmp_path / "nordic-federation", tmp_path / "outputs"
    made = _cli("init", str(package), "--region", "nor", "--name-en", "Norway", "--name-zh",
                "挪威", "--title-en", "Norwegian trade unions", "--country", "nor", "--peers",
                "swe,dnk,fin")  # fmt: skip
    assert made.returncode == 0, made.stderr
    annual = package / "annual" / "nor.csv"
    rows, series = _real_rows()
    annual.write_text(annual.read_text("utf-8").strip() + ",missing_reason\n" + "\n".join(rows)
                      + "\n", encoding="utf-8")  # fmt: skip
    catalog = package / "indicators.yaml"
    catalog.write_text(catalog.read_text("utf-8") + OWN_ENTRY, encoding="utf-8")

    checked = _cli("validate", str(package))
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.startswith("ok: 1 files, 24 rows, 1 regions, 4 indicators")
    ran = _cli("run", "--data-dir", str(package), "--outputs-dir", str(outputs))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    folder = next(outputs.rglob("90_annual_report.html")).parent
    assert (folder.parent.name, folder.name) == ("2018", "en")  # .../<region>/<year>/<lang>

    pages = {p.stem: _text(p) for p in folder.glob("*.html")}
    assert len(pages) == 7
    for name, text in pages.items():
        for word in FOREIGN:
            assert word not in text, f"{name}: {word!r}"
    # the indicator with a gap is named with its reason, in its notebook and in the report
    (skipped,) = json.loads((folder / "01_membership_coverage" / "not_analysed.json")
                            .read_text("utf-8"))["not_analysed"]  # fmt: skip
    assert skipped["indicator"] == OWN and skipped["reason"]
    for name in ("01_membership_coverage", "90_annual_report"):
        text = pages[name]
        assert "Not analysed" in text and "Union density (survey)" in text, name
        assert html.unescape(skipped["reason"]) in text, name
    assert "no survey that year" in pages["00_data_audit"]  # the reason for the marked years
    for name in ("02_dispute_resolution", "03_welfare_impact", "04_skills_competitions"):
        assert "This package selects no indicator of" in pages[name]

    summary = read_findings(folder / "90_annual_report" / "findings.json")
    assert summary and {f.region for f in summary} == {"nor"}  # about the region only
    for finding in summary:
        _check(finding, series)
    membership = read_findings(folder / "01_membership_coverage" / "findings.json")
    trends = [f for f in membership if f.statistic == "trend"]
    assert {f.indicator for f in trends} == {"union_members", "employees", "union_density"}
    for finding in trends:
        _check(finding, series)
