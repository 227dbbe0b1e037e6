"""One place for words: the message catalog is complete in both languages, and no module
outside the catalog writes Chinese wording of its own (STYLE.md 15)."""

from __future__ import annotations

import ast
import re
import string
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
import uniontrends
import yaml
from uniontrends.messages import CATALOG, message, message_table

PACKAGE = Path(uniontrends.__file__).parent
# CJK ideographs and the full-width punctuation of Chinese text (，。：；（）“” are in the
# general and full-width blocks; "—" and "·" are shared with English and not counted).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Modules whose Chinese string literals are data, not wording, and why.
DATA_NOT_WORDING = {
    "data/quantities.py": "the quantity parser's tokens (余, 超, 万, 元, ...) and its messages "
    "quoting the phrases it reads",
    "data/validate.py": "tokens the validator recognises in data files (合成 in a source, the "
    "full-width dash of an empty cell)",
    "data/catalog.py": "an example of indicators.yaml (a Chinese area name) in a format error",
    "data/regions.py": "an example of regions.yaml (a Chinese region name) in a format error",
    "data/starter.py": "the starter data package's example files (YAML with Chinese names)",
}


def _catalog() -> dict[str, dict[str, str]]:
    return yaml.safe_load(Path(CATALOG).read_text("utf-8"))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_has_english_and_chinese_with_the_same_fields():
    catalog = _catalog()
    assert catalog, "the catalog is empty"
    for key, texts in catalog.items():
        assert set(texts) == {"en", "zh"}, key
        assert all(isinstance(texts[lang], str) for lang in texts), key
        # a separator may be empty (Chinese sentences follow each other without a space)
        assert key.startswith("separator.") or (texts["en"] and texts["zh"]), key
        assert _fields(texts["en"]) == _fields(texts["zh"]), key
        filled = defaultdict(lambda: "x")
        for lang in ("en", "zh"):
            texts[lang].format_map(filled)  # every message formats (no stray brace)


def test_the_catalog_has_no_key_twice():
    """YAML keeps the last of two equal keys silently: a second translation would win."""
    keys = re.findall(r"^(\S[^:\n]*):\s*$", Path(CATALOG).read_text("utf-8"), re.MULTILINE)
    repeated = {k for k in keys if keys.count(k) > 1}
    assert not repeated


def test_a_table_of_messages_is_looked_up_by_the_rest_of_the_key():
    assert message_table("header", "zh")["year"] == "年份"
    assert message_table("header", "en")["p_value"] == "p value"
    assert message_table("word", "zh")["at_least"] == message("word.at_least", "zh")
    assert message_table("header", "zh-CN") == message_table("header", "zh")


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the constants that are docstrings (a module's, a class's or a function's)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def chinese_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal of a module that holds Chinese, docstrings aside:
    a docstring documents (its examples quote data such as "1200余件"); comments are no
    literals at all."""
    tree = ast.parse(path.read_text("utf-8"))
    docs = _docstrings(tree)
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and CJK.search(node.value)
    )


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_chinese_wording_lives_in_the_message_catalog(path):
    name = path.relative_to(PACKAGE).as_posix()
    if name in DATA_NOT_WORDING:
        return
    found = chinese_literals(path)
    assert not found, (
        f"{name} writes Chinese of its own; put the words (both languages) into "
        f"lib/uniontrends/messages.yaml and look them up with message(): {found[:5]}"
    )


def test_the_check_finds_chinese_in_code_and_ignores_docstrings_and_comments(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        '"""Reads 1200余件."""\n'
        "# 注释\n"
        "def f():\n"
        '    """约3.5万."""\n'
        '    return "年" + "x" + f"{1}，"\n',
        encoding="utf-8",
    )
    assert [text for _, text in chinese_literals(module)] == ["年", "，"]


def test_the_modules_allowed_chinese_still_need_it():
    """An entry of DATA_NOT_WORDING whose module has no Chinese left is removed."""
    for name in DATA_NOT_WORDING:
        assert chinese_literals(PACKAGE / name), name


# ---- technical notes: worded in the edition's language ----------------------------------------

# The catalog's technical notes, count-model refusals and reasons for leaving an indicator out
_NOTE_PREFIXES = ("note.", "count_refusal.", "skip.")
# proper names of methods, which both editions write as they are
_PROPER_NAMES = re.compile(r"quasi-Poisson|Pearson chi2/df|Theil-Sen|\bSen\b|Mann-Kendall|\bOLS\b")


def english_note_phrases() -> set[str]:
    """The English words of every technical note: each template's text between its fields
    ("no sampling interval", "launched inside the window"), of two words or more."""
    phrases = set()
    for key, texts in _catalog().items():
        if not key.startswith(_NOTE_PREFIXES):
            continue
        for literal, *_ in string.Formatter().parse(texts["en"]):
            for piece in re.split(r"[:;,()\[\]=/]", _PROPER_NAMES.sub(" ", literal)):
                words = re.findall(r"[A-Za-z][A-Za-z'-]*", piece)
                if len(words) >= 2:
                    phrases.add(" ".join(words))
    return phrases


def _english_in(texts, phrases: set[str]) -> set[str]:
    found = set()
    for text in texts:
        spaced = " ".join(re.findall(r"[A-Za-z][A-Za-z'-]*", str(text)))
        found |= {p for p in phrases if re.search(rf"\b{re.escape(p)}\b", spaced)}
    return found


def test_the_english_note_phrases_are_found_in_english_text():
    """The check below can fail: it finds the phrases in English notes."""
    phrases = english_note_phrases()
    assert {"no sampling interval", "no finite rate ratio spans a stop"} <= phrases
    found = _english_in(["perfect fit: no sampling interval", "2020年；no sampling interval"],
                        phrases)  # fmt: skip
    assert {"perfect fit", "no sampling interval"} <= found
    assert not _english_in(["完全拟合：无抽样区间", "Theil-Sen、OLS、Mann-Kendall"], phrases)


@pytest.mark.parametrize("region", ["putuo"])
def test_a_chinese_statistics_table_has_no_english_notes(region, tmp_path):
    """putuo 2022 as the bundled suite runs it: a launch, a stop, an indicator left out, a
    projection refused at a bound; the same rows worded in English hold the phrases."""
    from uniontrends.notes import note_text

    s = uniontrends.start("02_dispute_resolution", region=region, year=2022, lang="zh",
                          output_dir=tmp_path, theme=False)  # fmt: skip
    zh, en = [], []
    for area in sorted({ind.area for ind in s.catalog.indicators.values()}):
        summary = s.area_summary(area)
        table = s.localize(s.statistics(summary))  # as tables/statistics.csv holds it
        zh += [v for v in table.to_numpy().ravel() if isinstance(v, str)]
        zh += [f.statement_zh for f in summary.findings]
        zh += [note_text(reason, "zh") for reason in summary.skipped.values()]
        en += [note_text(v, "en") for col in ("method", "note") for v in summary.table[col]]
        en += [f.statement_en for f in summary.findings]
        en += [note_text(reason, "en") for reason in summary.skipped.values()]
    zh += [r.reason for r in s.not_analysed_records]
    phrases = english_note_phrases()
    assert not _english_in(zh, phrases)
    english = _english_in(en, phrases)
    assert {"no finite rate ratio spans a stop", "trend tests use", "no projection"} <= english


def test_launches_stops_perfect_fits_and_structural_zeros_are_worded_in_chinese():
    from uniontrends.findings import trend
    from uniontrends.notes import note_text

    catalog = {"indicators": [
        {"id": "cases", "area": "disputes", "name_en": "Cases", "name_zh": "案件",
         "unit": "cases", "kind": "flow", "aggregation": "sum"}]}  # fmt: skip
    names = {"en": "Putuo District", "zh": "普陀区"}
    phrases = english_note_phrases()
    series = {
        "launch": [0, 0, 40, 66, 125],
        "stop": [40, 52, 61, 0, 0],
        "perfect fit": [100, 110, 120, 130, 140],
        "structural zero": [300, 280, 0, 310, 295],
        "gap": [100, 120, None, 150, 170],
        "too few since launch": [0, 0, 0, 66, 125],
    }
    for what, values in series.items():
        rows = [("putuo", 2018 + i, "cases", v, "exact", "cases", "t", "synthetic")
                for i, v in enumerate(values) if v is not None]  # fmt: skip
        panel = pd.DataFrame(rows, columns=["region", "year", "indicator", "value", "qualifier",
                                            "unit", "source", "provenance"])  # fmt: skip
        s = trend.summarize(panel, "cases", "putuo", 2022, catalog=catalog, region_names=names)
        notes = [n for n in s.table["note"] if n is not None] + list(s.notes)
        zh = [note_text(n, "zh") for n in notes] + [f.statement_zh for f in s.findings]
        en = [note_text(n, "en") for n in notes]
        assert not _english_in(zh, phrases), what
        assert _english_in(en, phrases), what  # the same notes in English are found
