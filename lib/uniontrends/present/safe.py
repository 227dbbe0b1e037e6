"""Moved to ``uniontrends.safe`` (the findings layer needs it too); this name is kept for code
written before the move. Import from ``uniontrends.safe``."""

from __future__ import annotations

from uniontrends.safe import (  # noqa: F401 - re-exported
    CONTENT_SECURITY_POLICY,
    FORMULA_START,
    controls_written_out,
    escape_html,
    escape_markdown,
    figure_text,
    neutralise_formulas,
    rich_text,
    spreadsheet_text,
    terminal_text,
    visible_controls,
)
