"""Wording kept for later: a catalog key and its fields, worded once the language is known.

A statistic computed once serves both editions, so its technical notes ("Sen interval at
98.3 %", "n = 5: no Sen interval at 95 %", why a count model was refused) cannot be written
in one language when it is computed. A ``Note`` keeps the key of its message
(``messages.yaml``) and its fields; ``note.text(lang)`` words it, numbers formatted by
``numbers.number_format(lang)``. ``str(note)`` is its English text (logs, errors, tests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from uniontrends.errors import UniontrendsError
from uniontrends.messages import message, message_lang
from uniontrends.numbers import number_format


@dataclass(frozen=True)
class Number:
    """A number in a note, formatted in the note's language with ``decimals`` digits."""

    value: float
    decimals: int = 0
    percent: bool = False  # a share written as a percentage ("98.3%")
    fixed: bool = False  # keep trailing zeros ("3.10", a coefficient as tests print it)

    def text(self, lang: str) -> str:
        fmt = number_format(lang)
        if self.percent:
            return fmt.percent(self.value, self.decimals)
        return fmt.value(self.value, self.decimals, large=False, fixed=self.fixed)


@dataclass(frozen=True)
class Years:
    """A list of years in a note ("2019, 2020" / "2019、2020")."""

    years: tuple[int, ...]

    def text(self, lang: str) -> str:
        return message("separator.list", lang).join(str(y) for y in self.years)


@dataclass(frozen=True)
class Named:
    """A name in a note, by language (an indicator's or a region's display name)."""

    names: tuple[tuple[str, str], ...]

    def text(self, lang: str) -> str:
        by_lang = dict(self.names)
        return by_lang.get(message_lang(lang)) or by_lang.get("en", "")


def named(names: Mapping[str, str]) -> Named:
    """Display names by language ({"en": ..., "zh": ...}) as a note's field."""
    return Named(tuple(sorted(names.items())))


@dataclass(frozen=True)
class Note:
    """A message of the catalog by key, with its fields (text, whole numbers, ``Number``,
    ``Years`` or another ``Note``), worded by ``text(lang)``."""

    key: str
    fields: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **fields: object) -> Note:
        """The note ``key`` with ``fields`` (e.g. ``Note.of("note.start_zero")``)."""
        return cls(key, tuple(fields.items()))

    def naming(self, **fields: object) -> Note:
        """This note with those of ``fields`` it has replaced (ids by display names)."""
        return Note(self.key, tuple((k, fields.get(k, v)) for k, v in self.fields))

    def text(self, lang: str) -> str:
        """The note in ``lang`` ("en" or "zh")."""
        return message(self.key, lang, **{k: _field(v, lang) for k, v in self.fields})

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True)
class Sentences:
    """Notes one after the other (a projection's), as sentences of the language."""

    notes: tuple[Note, ...]

    def text(self, lang: str) -> str:
        return message("separator.sentence", lang).join(n.text(lang) for n in self.notes)

    def __str__(self) -> str:
        return self.text("en")


class NotedError(UniontrendsError):
    """An error whose message is a ``Note``: ``str(error)`` is its English text, ``note``
    words it in either edition's language (why an indicator was not analysed)."""

    def __init__(self, note: Note) -> None:
        super().__init__(str(note))
        self.note = note


def years_field(values: Sequence[int]) -> Years:
    """Years as a note's field."""
    return Years(tuple(int(y) for y in values))


def note_text(note: object, lang: str) -> object:
    """A note in ``lang``: a ``Note`` worded, anything else (None, text) as is (a table cell's
    note, a reason for leaving an indicator out)."""
    return note.text(lang) if isinstance(note, Note | Sentences) else note


def _field(value: object, lang: str) -> object:
    if isinstance(value, Note | Sentences | Number | Years | Named):
        return value.text(lang)
    return value
