"""The 2-D page: its controller, training worker, points, sessions and autosave."""
