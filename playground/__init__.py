"""The desktop playground: application state, the training worker and the Qt window."""
