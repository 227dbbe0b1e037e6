"""User-facing messages in both languages, from one catalog (messages.yaml), looked up by key.

Numbers, names and paths are format fields, filled in at the call, never part of the text.
This module imports no other part of uniontrends: every layer may use it.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

CATALOG = Path(__file__).with_name("messages.yaml")


# libyaml's loader reads the catalog in a tenth of the pure-Python loader's time (once per
# process; a notebook's kernel reads it once).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _catalog() -> dict[str, dict[str, str]]:
    return yaml.load(CATALOG.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader


_ZH_TAG = re.compile(r"zh(?:[-_][A-Za-z0-9]{1,8})*", re.IGNORECASE)


def message_lang(lang: object) -> str:
    """The language a message is written in: "zh" for zh, ZH, zh-CN, zh_Hans, else "en".

    Only a well-formed language tag picks Chinese: a mistyped value ("zh/..") is answered in
    English, the language of the parameter names.
    """
    if lang == "en" or lang == "zh":  # the common case, without the pattern
        return lang  # type: ignore[return-value]
    is_zh = isinstance(lang, str) and _ZH_TAG.fullmatch(lang.strip()) is not None
    return "zh" if is_zh else "en"


def message(key: str, lang: object = "en", **fields: object) -> str:
    """The message ``key`` in ``lang`` with its fields filled in.

    Raises:
        KeyError: no such message (a programming error, caught by the tests).
    """
    return _catalog()[key][message_lang(lang)].format(**fields)


def message_table(prefix: str, lang: object = "en") -> dict[str, str]:
    """Every message under ``prefix`` in ``lang``, by the rest of its key: a small lookup table
    such as the table headers (``message_table("header", "zh")["year"] == "年份"``)."""
    return _table(prefix, message_lang(lang))


@functools.cache
def _table(prefix: str, lang: str) -> dict[str, str]:
    start = prefix + "."
    return {key[len(start) :]: texts[lang] for key, texts in _catalog().items()
            if key.startswith(start)}  # fmt: skip


def suggestion(value: object, choices: Iterable[str], lang: object = "en") -> str:
    """ "; did you mean 'dinghai'?" when a choice is close to ``value`` (case, a typo), else "".

    Args:
        value: what was given.
        choices: the valid values.
        lang: the language of the message.
    """
    choices = list(choices)
    text = str(value)
    folded = {c.lower(): c for c in choices}
    lowered = text.strip().lower()
    close = [folded[lowered]] if lowered in folded else []
    # "zh-CN", "en_US": a language tag whose first part is the choice
    close = close or [c for c in choices if lowered.startswith(c.lower() + "-")
                      or lowered.startswith(c.lower() + "_")][:1]  # fmt: skip
    close = close or difflib.get_close_matches(lowered, choices, n=1, cutoff=0.6)
    if not close or close[0] == text:
        return ""
    return message("separator.clause", lang) + message(
        "did_you_mean", lang, suggestion=repr(close[0])
    )
