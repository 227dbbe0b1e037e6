"""The boundary for untrusted text: strings from data files enter documents only through here.

HTML and Markdown get their special characters escaped; spreadsheet cells that a spreadsheet
would run as a formula get a leading apostrophe (OWASP CSV injection).
"""

from __future__ import annotations

import html

import pandas as pd

# OWASP CSV injection: a spreadsheet treats text starting with these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_html(text: object) -> str:
    """Escape text that came from data before it goes into Markdown or HTML.

    Args:
        text: any value; converted with str().

    Returns:
        The text with &, <, >, " and ' escaped.
    """
    return html.escape(str(text), quote=True)


def _is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe (OWASP).

    Args:
        df: any table; only text cells change, numbers stay numbers.

    Returns:
        A copy with text cells starting with = + - @ tab or CR prefixed by "'".
    """
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: f"'{v}" if _is_formula_like(v) else v)
    return out
