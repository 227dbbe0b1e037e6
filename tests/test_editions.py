"""Tests of the comparison between editions (editions.py) and the diff CLI."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from factories import make_finding
from typer.testing import CliRunner
from uniontrends.cli import app
from uniontrends.errors import DataError
from uniontrends.findings.editions import (
    classify,
    compare_editions,
    edition_findings,
    what_changed_markdown,
)
from uniontrends.findings.record import Finding, write_findings


def _finding(indicator: str, direction: str, evidence: str, value: float = 1.0) -> Finding:
    return make_finding(
        indicator, id=f"putuo.{indicator}.theil_sen", statistic="theil_sen", value=value,
        statement_en=f"{indicator} trend {direction}", direction=direction, evidence=evidence,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (("up", "clear"), ("down", "suggestive"), "reversed"),
        (("down", "suggestive"), ("up", "descriptive"), "reversed"),
        # a flip the data cannot tell from noise is not a reversal
        (("up", "clear"), ("down", "inconclusive"), "weakened"),
        (("down", "inconclusive"), ("up", "inconclusive"), "unchanged"),
        (("up", "suggestive"), ("up", "clear"), "strengthened"),
        (("up", "inconclusive"), ("up", "suggestive"), "strengthened"),
        (("up", "clear"), ("up", "inconclusive"), "weakened"),
        (("flat", "descriptive"), ("up", "descriptive"), "strengthened"),
        (("down", "descriptive"), ("none", "descriptive"), "weakened"),
        (("up", "clear"), ("up", "clear"), "unchanged"),
        (("up", "descriptive"), ("up", "descriptive"), "unchanged"),
        # descriptive is not on the tested scale: a test appearing is not "stronger" by itself
        (("up", "descriptive"), ("up", "clear"), "unchanged"),
    ],
)
def test_classify_rules(before: tuple, after: tuple, expected: str) -> None:
    assert classify(_finding("x", *before), _finding("x", *after)) == expected


def test_compare_editions_table() -> None:
    previous = [
        _finding("a", "up", "clear", 10.0),
        _finding("b", "up", "suggestive", 5.0),
        _finding("gone_one", "down", "clear"),
        _finding("same", "flat", "descriptive", 2.0),
    ]
    current = [
        _finding("a", "down", "suggestive", -4.0),
        _finding("b", "up", "clear", 7.5),
        _finding("fresh", "up", "clear"),
        _finding("same", "flat", "descriptive", 2.0),
    ]
    df = compare_editions(previous, current)
    assert list(df["change"]) == ["reversed", "strengthened", "new", "gone", "unchanged"]
    assert list(df["indicator"]) == ["a", "b", "fresh", "gone_one", "same"]
    b = df.set_index("indicator").loc["b"]
    assert (b["evidence_before"], b["evidence_after"]) == ("suggestive", "clear")
    assert b["value_before"] == 5.0 and b["value"] == 7.5
    assert b["value_change"] == pytest.approx(0.5)  # (7.5 - 5) / 5
    assert df.set_index("indicator").loc["a", "value_change"] == pytest.approx(-1.4)
    assert df.set_index("indicator").loc["gone_one", "statement_en"] == "gone_one trend down"


def test_markdown_lists_changes_in_both_languages() -> None:
    previous = [_finding("a", "up", "clear", 10.0), _finding("same", "up", "clear")]
    current = [_finding("a", "down", "clear", 8.0), _finding("same", "up", "clear")]
    df = compare_editions(previous, current)
    en = what_changed_markdown(df, "en")
    assert en.startswith("1 of 2 findings changed.")
    assert what_changed_markdown(df, "en", heading=True).startswith("## What changed since")
    assert "Reversed (direction flipped) (1)" in en
    assert "**a** (putuo.a.theil\\_sen): Illustrative (synthetic) data: a trend down" in en
    assert "direction up → down" in en and "10 → 8" in en
    assert "same" not in en.split("_Findings are matched")[0]  # unchanged are only counted
    zh = what_changed_markdown(df, "zh")
    assert "共2条结论，其中1条有变化" in zh and "方向反转" in zh and "上升 → 下降" in zh
    nothing = what_changed_markdown(compare_editions(previous, previous), "en")
    assert "No finding changed" in nothing


def test_a_change_between_method_versions_is_said_to_come_from_the_method() -> None:
    previous = [replace(_finding("a", "up", "clear"), method_version=1),
                replace(_finding("same", "up", "clear"), method_version=1),
                replace(_finding("old", "up", "clear"), method_version=1)]  # fmt: skip
    current = [_finding("a", "up", "suggestive"), _finding("same", "up", "clear")]
    df = compare_editions(previous, current).set_index("indicator")
    assert df.loc["a", "cause"] == "method" and df.loc["old", "cause"] == "method"
    assert df.loc["same", "cause"] == "data"  # unchanged findings have no cause
    assert (df.loc["a", "method_before"], df.loc["a", "method_after"]) == (1, 2)
    en = what_changed_markdown(compare_editions(previous, current), "en")
    assert "graded by method version 1, this one by version 2: 2 of the changes" in en
    assert "clear → suggestive; 1 → 1 (method)" in en
    assert "方法第1版" in what_changed_markdown(compare_editions(previous, current), "zh")
    same = compare_editions(current, current)
    assert set(same["cause"]) == {"data"}


def test_edition_findings_and_cli_diff(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    editions = outputs / "putuo" / "putuo"  # the bundled package's id, then the region
    old = [_finding("a", "up", "clear"), _finding("b", "up", "suggestive")]
    new = [replace(old[0], direction="down"), old[1], _finding("c", "up", "clear")]
    write_findings(old, editions / "2022" / "en" / "02_dispute_resolution")
    write_findings(new[:2], editions / "2023" / "en" / "02_dispute_resolution")
    write_findings(new[2:], editions / "2023" / "en" / "03_welfare_impact")
    assert {f.id for f in edition_findings(editions / "2023" / "en")} == {f.id for f in new}
    diff = ["diff", "--region", "putuo", "--from", "2022", "--to", "2023",
            "--outputs-dir", str(outputs)]  # fmt: skip
    result = CliRunner().invoke(app, diff)
    assert result.exit_code == 0, result.output
    assert "reversed" in result.output and "putuo.a.theil_sen" in result.output
    assert "new" in result.output and "putuo.b.theil_sen" not in result.output  # unchanged hidden
    # Findings carry both languages: the Chinese diff reads the English editions when no
    # Chinese one exists, and shows the Chinese statements.
    zh = CliRunner().invoke(app, [*diff, "--lang", "zh"])
    assert zh.exit_code == 0 and "趋势" in zh.output
    with pytest.raises(DataError, match="uniontrends run"):
        edition_findings(editions / "2019" / "en")
    missing = CliRunner().invoke(
        app, ["diff", "--region", "putuo", "--from", "2019", "--to", "2023",
              "--outputs-dir", str(outputs)]
    )  # fmt: skip
    assert missing.exit_code == 1 and "no findings.json" in missing.output
    assert "uniontrends run --region putuo --year 2019" in missing.output


def test_diff_reads_editions_of_the_layout_before_packages_and_languages(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    old = [_finding("a", "up", "clear")]
    write_findings(old, outputs / "putuo" / "2022" / "02_dispute_resolution")  # old layout
    new = outputs / "putuo" / "putuo" / "2023" / "en" / "02_dispute_resolution"
    write_findings([replace(old[0], direction="down")], new)
    result = CliRunner().invoke(
        app, ["diff", "--region", "putuo", "--from", "2022", "--to", "2023",
              "--outputs-dir", str(outputs)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "reversed" in result.output


@pytest.mark.parametrize(
    "argv",
    [
        ["--region", "../outside", "--from", "2022", "--to", "2023"],
        ["--region", "putuo/../../outside", "--from", "2022", "--to", "2023"],
        ["--region", "putuo", "--from", "2022", "--to", "2023", "--lang", "../en"],
    ],
)
def test_diff_refuses_arguments_that_leave_the_outputs_folder(tmp_path: Path, argv) -> None:
    outside = tmp_path / "outside"
    write_findings([_finding("a", "up", "clear")], outside / "2022" / "02_dispute_resolution")
    write_findings([_finding("a", "down", "clear")], outside / "2023" / "02_dispute_resolution")
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    result = CliRunner().invoke(app, ["diff", *argv, "--outputs-dir", str(outputs)])
    assert result.exit_code == 1
    assert "parameter" in result.output and "reversed" not in result.output


def test_diff_refuses_an_edition_reached_through_a_symbolic_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    for year in ("2022", "2023"):
        write_findings([_finding("a", "up", "clear")],
                       outside / year / "en" / "02_dispute_resolution")  # fmt: skip
    outputs = tmp_path / "outputs"
    (outputs / "putuo").mkdir(parents=True)
    (outputs / "putuo" / "putuo").symlink_to(outside, target_is_directory=True)
    result = CliRunner().invoke(
        app, ["diff", "--region", "putuo", "--from", "2022", "--to", "2023",
              "--outputs-dir", str(outputs)]
    )  # fmt: skip
    assert result.exit_code == 1 and "symbolic link" in result.output
