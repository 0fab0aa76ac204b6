"""The MNIST page's views: controls, result views, the page and the download dialog."""
