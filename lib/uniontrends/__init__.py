"""uniontrends: five-year trends in trade-union work, from validated data to findings."""

__version__ = "0.1.0"
