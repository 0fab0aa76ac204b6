"""The loss-landscape panel and the window that shows it."""
