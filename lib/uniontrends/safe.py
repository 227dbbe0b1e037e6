"""The one boundary for untrusted text: strings from data files reach a reader only through here.

A name, source, phrase or statement read from a data package is data, never markup. Each
kind of output has its escape, applied where the text enters it:

- ``escape_markdown``: inline Markdown (the report's "What changed", notebook intros,
  findings.md): HTML and Markdown syntax both shown literally, no link, image or autolink.
- ``escape_html``: HTML text and attribute values.
- ``figure_text``: text drawn by matplotlib (mathtext is switched off by the plot theme).
- ``spreadsheet_text`` / ``neutralise_formulas``: CSV cells never run as formulas (OWASP CSV
  injection); ``controls_written_out``: XLSX and HTML tables hold no control characters.
- ``terminal_text`` / ``rich_text``: the terminal; never parsed as rich markup, and no escape
  sequence from data reaches the terminal.

Every escape first makes control characters visible (ESC becomes the four characters
``\\x1b``), so they can neither drive a terminal nor hide or reorder text (bidirectional
overrides), and a reader sees that the data hold something odd.

``CONTENT_SECURITY_POLICY`` is what every HTML output declares, so that a slip elsewhere still
cannot run a script, open a frame or fetch anything: inline styles and data: images only.

This module imports no other part of uniontrends: every layer may use it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from rich.text import Text

# Inline styles and data: images only: no script, frame, object, font, stylesheet or
# connection from anywhere, no <base> and no form target.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

# OWASP CSV injection: a spreadsheet treats text starting with these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# C0 and C1 control characters, DEL, and the bidirectional marks, embeddings, overrides and
# isolates that can make text read differently from what it holds ("Trojan source").
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Line and paragraph breaks of any kind: inline text is one line.
_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
# Inline Markdown (CommonMark, GFM, nbconvert's mistune) needs a backslash before: \ and `
# (escapes, code), * _ ~ (emphasis, strikethrough), [ ] (links, images, footnotes, task
# boxes), | (table cells), $ (math), @ (e-mail autolinks); < > & become entities (raw HTML,
# <autolinks>, entities). Parentheses and "!" need nothing once [ ] are escaped.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_~\[\]|$@]")
_HTML_SPECIAL = re.compile(r"[&<>]")
_URL_AUTOLINK = re.compile(r"(?i)://|(?<![\w.-])www\.")  # https://x and www.x get linked
# At the start of a line these open a list, heading, definition or block.
_LEADING_BLOCK = re.compile(r"^(\s*)([-+=#:]|\d+(?=[.)]))")


def _notation(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_controls(text: object, keep: str = "") -> str:
    """Text with control characters written out (ESC as ``\\x1b``, U+202E as ``\\u202e``).

    Args:
        text: any value; converted with str().
        keep: control characters to leave as they are (e.g. "\\n\\t" for terminal lines).

    Returns:
        The text; printable characters, CJK included, unchanged.
    """
    return _CONTROL.sub(
        lambda m: m.group() if m.group() in keep else _notation(m.group()), str(text)
    )


def escape_html(text: object) -> str:
    """Escape text from data for HTML (element content or a quoted attribute value).

    Args:
        text: any value; converted with str().

    Returns:
        The text with control characters visible (tab and line breaks kept) and &, <, >, "
        and ' escaped.
    """
    return html.escape(visible_controls(text, keep="\t\n\r"), quote=True)


def escape_markdown(text: object) -> str:
    """Escape text from data for inline Markdown.

    The result renders as the original text in CommonMark, GFM and nbconvert's mistune:
    HTML tags, entities, emphasis, code, links, images, autolinks, table pipes and math all
    show literally. Line breaks become spaces (a name is one line; a break could start a
    block), control characters are made visible.

    Args:
        text: any value; converted with str().

    Returns:
        Markdown source for a paragraph, list item or table cell.
    """
    shown = visible_controls(_BREAKS.sub(" ", str(text)))
    shown = _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(), shown)
    shown = _HTML_SPECIAL.sub(lambda m: html.escape(m.group()), shown)
    shown = _URL_AUTOLINK.sub(lambda m: "\\" + m.group() if m.group() == "://" else
                              m.group()[:-1] + "\\.", shown)  # fmt: skip
    leading = _LEADING_BLOCK.match(shown)
    if leading:  # "- x", "1. x", "# x" would open a block at the start of a line
        head, marker = leading.groups()
        rest = shown[leading.end() :]
        shown = f"{head}{marker}\\{rest}" if marker[0].isdigit() else f"{head}\\{marker}{rest}"
    return shown


def figure_text(text: object) -> str:
    """Text from data to draw on a figure: control characters visible, one line.

    Dollar signs stay as they are: the plot theme draws text without mathtext
    (``text.parse_math`` off), so "$x$" is shown, not typeset, and cannot fail to parse.

    Args:
        text: any value; converted with str().

    Returns:
        The text to pass to matplotlib.
    """
    return visible_controls(_BREAKS.sub(" ", str(text)))


def spreadsheet_text(value: object) -> object:
    """A CSV cell: text never starts a formula, control characters are visible.

    Args:
        value: a cell; only str changes.

    Returns:
        Non-text unchanged; text with control characters other than tab and line breaks
        written out and, when it starts with = + - @ tab or CR, prefixed with an apostrophe
        (OWASP).
    """
    if not isinstance(value, str):
        return value
    text = visible_controls(value, keep="\t\n\r")
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _map_text(df: pd.DataFrame, change: Callable[[str], object]) -> pd.DataFrame:
    import pandas as pd

    def cell(value: object) -> object:
        return change(value) if isinstance(value, str) else value

    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(cell)
    out.columns = out.columns.map(cell)
    if out.index.dtype == object:
        out.index = out.index.map(cell)
    return out


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of a table through ``spreadsheet_text`` (numbers stay numbers).

    Args:
        df: any table.

    Returns:
        A copy whose text cells, column labels and index labels cannot run as formulas.
    """
    return _map_text(df, spreadsheet_text)


def controls_written_out(df: pd.DataFrame) -> pd.DataFrame:
    """A table with control characters in text cells and labels made visible.

    For an HTML table (the escaping itself is the pandas Styler's, ``escape="html"``) and an
    XLSX sheet (a workbook refuses most control characters; its text cells are typed text,
    so "=..." is never run).

    Args:
        df: any table.

    Returns:
        A copy; tab and line breaks kept.
    """
    return _map_text(df, lambda text: visible_controls(text, keep="\t\n\r"))


def terminal_text(text: object) -> str:
    """Text from data for a terminal line: control characters visible, newline and tab kept.

    For plain output (``typer.echo``); rich output takes ``rich_text``.

    Args:
        text: any value; converted with str().

    Returns:
        The text to print.
    """
    return visible_controls(text, keep="\n\t")


def rich_text(*parts: object | tuple[object, str]) -> Text:
    """A rich ``Text`` from parts that are never read as rich markup.

    Args:
        *parts: each a value (printed as it is) or a (value, style) pair, the style written
            by the program, e.g. ("FAILED", "bold red").

    Returns:
        Text for ``Console.print`` or a table cell; "[/red]" or "[link=...]" in a part are
        printed literally, control characters are visible.

    Example:
        console.print(rich_text(f"{region} {year} ", ("FAILED", "bold red"), f": {error}"))
    """
    from rich.text import Text

    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            value, style = part
            text.append(terminal_text(value), style=style)
        else:
            text.append(terminal_text(part))
    return text
