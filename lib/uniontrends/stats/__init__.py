"""Layer 2, stats: numbers in, numbers out.

Descriptive statistics, trend tests (OLS, Theil-Sen, Mann-Kendall), count models, rate
intervals, projections, cross-region comparison and the data audit's reconciliation, each a
pure function of arrays or tidy frames. No sentence is written here.

May import: ``uniontrends.data`` and ``uniontrends.errors``.
"""
