"""The Lab tab: optimiser paths over 2-D surfaces (no widgets here)."""
