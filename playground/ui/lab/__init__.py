"""The Lab tab's widgets."""
