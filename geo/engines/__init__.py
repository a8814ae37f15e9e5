"""Point-in-district engines: the in-memory grid engine and the out-of-core dask engine (same results)."""
