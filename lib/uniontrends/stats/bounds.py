"""Bounds carried through statistics: the qualifier of a value computed from qualified inputs.

An input is ``exact``, a lower bound ``at_least`` ("1200余件"), an upper bound ``at_most`` or
``approx`` ("约"). A statistic of bounds is a bound only when the bounds push it one way:
- sum or mean: exact values and lower bounds give a lower bound (upper bounds likewise);
  lower and upper bounds together give ``undetermined``; approximate values otherwise make it
  ``approx``.
- difference end - start, and the growth of a positive value (end / start, CAGR): a lower bound
  at the end over an exact start is a lower bound; an exact end over a lower-bound start is an
  upper bound; bounds on the same side at both ends (two lower bounds) leave the change
  ``undetermined``, bounded in neither direction.
- ratio numerator / denominator (a rate per member): as the difference, numerator for end.
- anything else (a slope, a test, a projection) through a bound is ``undetermined``: such
  statistics are never graded above descriptive.
"""

from __future__ import annotations

from collections.abc import Iterable

BOUNDS = ("at_least", "at_most")
UNDETERMINED = "undetermined"


def is_bound(qualifier: str) -> bool:
    """Whether a value is only a bound (or undetermined), not an estimate of the value."""
    return qualifier in (*BOUNDS, UNDETERMINED)


def sum_qualifier(qualifiers: Iterable[str]) -> str:
    """Qualifier of a sum or mean of values with these qualifiers."""
    found = set(qualifiers) - {"exact"}
    if not found:
        return "exact"
    if UNDETERMINED in found or set(BOUNDS) <= found:
        return UNDETERMINED
    bound = found & set(BOUNDS)
    if bound:
        # approximate terms do not undo the direction of a bound
        return bound.pop()
    return "approx"


def difference_qualifier(end: str, start: str) -> str:
    """Qualifier of end - start (and of end / start for positive values)."""
    if end == "exact" and start == "exact":
        return "exact"
    if UNDETERMINED in (end, start):
        return UNDETERMINED
    flip = {"at_least": "at_most", "at_most": "at_least"}
    pushes = {q for q in (end, flip.get(start)) if q in BOUNDS}
    if len(pushes) > 1:
        return UNDETERMINED
    if pushes:
        return pushes.pop()
    return "approx"


def ratio_qualifier(numerator: str, denominator: str) -> str:
    """Qualifier of numerator / denominator (positive values)."""
    return difference_qualifier(numerator, denominator)


def statistic_qualifier(qualifiers: Iterable[str]) -> str:
    """Qualifier of a slope, test or projection: any bound leaves it undetermined."""
    qs = set(qualifiers)
    if qs & {*BOUNDS, UNDETERMINED}:
        return UNDETERMINED
    return "exact" if qs <= {"exact"} else "approx"
