"""The Sweep tab's widgets."""
