"""Multiplicity control: adjusted p-values over a declared family of tests.

A report runs dozens of trend tests; picking the smallest p-values would find "trends" in pure
noise. The raw p-values of one family are adjusted in two levels:
- tests that share data (a rate and the indicators it is computed from, e.g. disputes per
  1,000 members and disputes mediated) form a group, because they tend to be small together:
  a group's p-value is its smallest p times its number of tests (Bonferroni), so a group of
  near-duplicates gets the error budget of one test;
- the groups' p-values are adjusted with the Benjamini-Hochberg step-up procedure (statsmodels
  ``multipletests(method="fdr_bh")``), which keeps the expected share of false discoveries at
  q and, when nothing trends, the chance of any false discovery in the family at q.
A test's adjusted p-value is the larger of its group's adjusted p and its own p times the
group's size. With one test per group this is plain Benjamini-Hochberg.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
from statsmodels.stats.multitest import multipletests


def bh_adjust(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg adjusted p-values; None (a test that gave no p-value) stays None.

    Args:
        p_values: the raw p-values of one family, in any order.

    Returns:
        The adjusted p-values in the same order (each >= its raw p, at most 1).
    """
    idx = [i for i, p in enumerate(p_values) if p is not None and np.isfinite(p)]
    out: list[float | None] = [None] * len(p_values)
    if not idx:
        return out
    raw = np.array([float(p_values[i]) for i in idx])  # type: ignore[arg-type]
    adjusted = multipletests(raw, method="fdr_bh")[1]
    for i, p in zip(idx, adjusted, strict=True):
        out[i] = float(p)
    return out


def grouped_bh_adjust(
    p_values: Sequence[float | None], groups: Sequence[Hashable]
) -> list[float | None]:
    """Adjusted p-values with Bonferroni within groups of overlapping tests and
    Benjamini-Hochberg across groups (module doc).

    Args:
        p_values: the raw p-values of one family; None for a test that gave none.
        groups: a group key per test (tests that share data share a key).

    Returns:
        The adjusted p-values in the same order.
    """
    if len(groups) != len(p_values):
        raise ValueError("one group key per p-value")
    members: dict[Hashable, list[int]] = {}
    for i, (p, g) in enumerate(zip(p_values, groups, strict=True)):
        if p is not None and np.isfinite(p):
            members.setdefault(g, []).append(i)
    keys = list(members)
    size = {g: len(members[g]) for g in keys}
    group_p = [min(1.0, size[g] * min(float(p_values[i]) for i in members[g])) for g in keys]  # type: ignore[arg-type]
    adjusted_groups = dict(zip(keys, bh_adjust(group_p), strict=True))
    out: list[float | None] = [None] * len(p_values)
    for g in keys:
        for i in members[g]:
            own = min(1.0, size[g] * float(p_values[i]))  # type: ignore[arg-type]
            out[i] = max(float(adjusted_groups[g]), own)  # type: ignore[arg-type]
    return out
