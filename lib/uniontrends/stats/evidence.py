"""How trend tests become an evidence level.

Evidence levels (``evidence_rules()`` returns this text for the method notes):
- clear: the OLS 95 % CI excludes 0 AND the Mann-Kendall p < 0.05 AND the Theil-Sen slope has
  the sign of the OLS slope.
- suggestive: not clear, but two of three signals hold (OLS CI excludes 0; MK p < 0.05;
  Theil-Sen CI excludes 0), or the MK or OLS p-value is below 0.10.
- inconclusive: otherwise.
- descriptive: levels, totals, changes, shares and projections, which test nothing.
With n = 5 the smallest exact two-sided Mann-Kendall p is 2/120 = 0.0167 (a strictly monotone
series) and the next is 10/120 = 0.083 (one pair out of order), so "clear" needs a strictly
monotone series; every finding from fewer than 8 points is flagged small_sample.

Count models (flows counted in cases, events, person-times, ...): a Poisson GLM of the count on
year with offset log(exposure / 1,000) when an exposure (union members) exists; if the Pearson
chi2 / df exceeds 1.5 the counts are overdispersed and a negative-binomial (NB2) model with alpha
estimated by maximum likelihood is used instead (quasi-Poisson if NB2 does not converge). Its
finding is clear when the 95 % CI of the yearly rate ratio excludes 1 with p < 0.05 and agrees
in sign with Theil-Sen, suggestive when p < 0.10, else inconclusive.
"""

from __future__ import annotations

import math

import numpy as np

from uniontrends.stats.counts import CountTrend
from uniontrends.stats.trend_tests import MannKendall, OLSTrend, TheilSen

SMALL_SAMPLE_N = 8


def evidence_rules() -> str:
    """The evidence and count-model rules as text for a report's method notes."""
    doc = __doc__ or ""
    return doc[doc.index("Evidence levels") :].strip()


def classify_evidence(ols: OLSTrend, ts: TheilSen, mk: MannKendall) -> str:
    """Evidence level of a trend from the three tests (rules in ``evidence_rules()``)."""
    ols_sig = ols.ci_low > 0 or ols.ci_high < 0
    mk_sig = mk.p_value < 0.05
    ts_sig = ts.ci_low > 0 or ts.ci_high < 0
    if ols_sig and mk_sig and np.sign(ts.slope) == np.sign(ols.slope) != 0:
        return "clear"
    if sum((ols_sig, mk_sig, ts_sig)) >= 2 or mk.p_value < 0.10 or ols.p_value < 0.10:
        return "suggestive"
    return "inconclusive"


def count_evidence(ct: CountTrend, ts: TheilSen) -> str:
    excludes = ct.ci_low > 1 or ct.ci_high < 1
    if excludes and ct.p_value < 0.05 and np.sign(math.log(ct.rate_ratio)) == np.sign(ts.slope):
        return "clear"
    return "suggestive" if ct.p_value < 0.10 else "inconclusive"
