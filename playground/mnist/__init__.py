"""The MNIST page: its controller, worker, data sources, inspection and metrics."""
