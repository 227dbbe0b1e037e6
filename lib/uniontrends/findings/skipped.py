"""The indicators a notebook did not analyse, and why (``not_analysed.json`` beside findings).

An area notebook writes one record per indicator of its area that the package selects but the
statistics could not use (no annual data, too few years, gaps, all zeros, ...); the annual
report gathers them, so every indicator not analysed is listed with its reason.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from uniontrends.errors import DataError, Problem

NOT_ANALYSED_FILE = "not_analysed.json"
_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class NotAnalysed:
    """One indicator left out: its id, area, display names and the reason (in the language of
    the edition whose notebook wrote it)."""

    indicator: str
    area: str
    name_en: str
    name_zh: str
    reason: str
    notebook: str = ""

    def name(self, lang: str = "en") -> str:
        """The indicator's name in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en


def write_not_analysed(records: list[NotAnalysed], folder: Path | str) -> Path:
    """Write ``not_analysed.json`` (a list, possibly empty) into a notebook's folder."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    path = out / NOT_ANALYSED_FILE
    doc = {"not_analysed": [asdict(r) for r in records]}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_not_analysed(path: Path | str) -> list[NotAnalysed]:
    """Read a ``not_analysed.json``.

    Raises:
        DataError: the file is not such a document (damaged or truncated).
    """
    path = Path(path)
    problem = None
    try:
        if path.stat().st_size > _MAX_BYTES:
            problem = "the file is too large"
        else:
            doc = json.loads(path.read_bytes().decode("utf-8"))
            records = [NotAnalysed(**rec) for rec in doc["not_analysed"]]
            if all(isinstance(v, str) for r in records for v in asdict(r).values()):
                return records
            problem = "a field is not text"
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError) as exc:
        problem = f"not a list of indicators not analysed ({type(exc).__name__})"
    raise DataError([Problem(str(path), "not_analysed_file", problem)])
