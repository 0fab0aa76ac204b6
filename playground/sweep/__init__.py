"""Hyperparameter sweeps on Dask: the Sweep tab's controller and worker."""
