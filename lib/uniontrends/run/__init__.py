"""Layer 6, run: executing the notebooks in batch.

Cache keys, manifests, warm kernels, executing a notebook on a kernel, and the runner that
plans a grid of region-years, runs it on local threads or Dask and publishes each folder
atomically.

May import: every layer below and ``uniontrends.errors``; ``uniontrends.config`` only in
``runner.run``, an entry point.
"""
