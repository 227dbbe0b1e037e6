"""How a finding's statement is worded in both languages at once.

A statement is one message of the catalog (``messages.yaml``, keys ``finding.*``) filled in for
English and for Chinese (``both``); its numbers come from the one formatter of each language
(``uniontrends.numbers``: 万/亿 and 元 in Chinese, separators in English, bounds rounded so they
stay true). Statements built on synthetic inputs start with "Illustrative (synthetic) data" /
"示例（合成）数据" (``with_synthetic_label``).
"""

from __future__ import annotations

from collections.abc import Mapping

from uniontrends.data.model import LANGS
from uniontrends.messages import message


def synthetic_label(lang: str) -> str:
    """ "Illustrative (synthetic) data: " in ``lang``, the start of a statement on synthetic
    data."""
    return message("plain.synthetic", lang)


def with_synthetic_label(text: str, synthetic: bool, lang: str) -> str:
    """Prefix the statement with the synthetic-data label when its inputs are synthetic."""
    return f"{synthetic_label(lang)}{text}" if synthetic else text


def both(key: str, **fields: object) -> tuple[str, str]:
    """The message ``key`` in English and in Chinese (``messages.yaml``).

    Args:
        key: the message's key.
        fields: its format fields; a field that reads differently in each language (a number
            with its unit, a name) is given as a mapping {lang: text} or as a function of
            the language.

    Returns:
        (English, Chinese).
    """
    en, zh = (message(key, lang, **{k: _in(v, lang) for k, v in fields.items()}) for lang in LANGS)
    return en, zh


def _in(value: object, lang: str) -> object:
    if isinstance(value, Mapping):
        return value[lang]
    return value(lang) if callable(value) else value
