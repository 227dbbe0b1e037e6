"""What a printed page carries besides the report: the running footer of every PDF page.

Chromium prints CSS page-margin boxes (``@page { @bottom-left { content: "..." } }``) but not
named strings taken from the document, so the footer's text is written into a ``<style>`` the
report displays (inline styles are what the Content-Security-Policy allows). The text holds a
region's name from the data package: it is written as CSS escapes, so nothing in it can end
the string, the rule or the style element.
"""

from __future__ import annotations

import re

from uniontrends.messages import message
from uniontrends.safe import figure_text

# Kept as they are in a CSS string: letters, digits, spaces and a few harmless marks.
_PLAIN = re.compile(r"[A-Za-z0-9 .,:()\u00b7\u2013\u2014]")
FOOTER_FONT_PT = 7.5


def css_string(text: str) -> str:
    """A CSS string literal holding `text` as written (every other character hex-escaped).

    Args:
        text: any text (control characters are first written out, as on figures).

    Returns:
        The literal with its double quotes, e.g. ``"Putuo \\00003C b\\00003E "``.
    """
    shown = figure_text(text)
    return '"' + "".join(c if _PLAIN.match(c) else f"\\{ord(c):06X} " for c in shown) + '"'


def footer_text(region: str, start: int, end: int, lang: str, synthetic: bool) -> str:
    """The running footer: region, window, edition and, when it applies, the synthetic notice.

    Args:
        region: the region's display name in `lang`.
        start: first year of the window.
        end: last year (the edition's year).
        lang: "en" or "zh".
        synthetic: whether any annual value shown is synthetic.
    """
    text = message("page.edition", lang, region=region, start=start, end=end, year=end)
    return message("page.with_synthetic", lang, text=text) if synthetic else text


def running_footer_style(text: str) -> str:
    """A ``<style>`` element that prints `text` at the foot of every page (left side).

    The page number is printed on the right by the HTML template's stylesheet.
    """
    rule = (
        f"@page {{ @bottom-left {{ content: {css_string(text)}; font-size: {FOOTER_FONT_PT}pt; "
        "color: #444; } }"
    )
    return f'<style class="ut-running-footer">{rule}</style>'
