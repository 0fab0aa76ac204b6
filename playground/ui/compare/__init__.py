"""The Compare tab's widgets."""
