"""The plots' colours as plain hex strings (no Qt), so pure-NumPy code such as the region
colouring and the animation renderer share them with the widgets."""

from __future__ import annotations

#: training curves dark blue, test curves orange, on every page.
TRAIN_COLOR = "#1d3557"
TEST_COLOR = "#e76f51"
#: class 0 orange and class 1 blue as in the TensorFlow Playground, then three more that
#: stay distinct from both (and from each other) for up to five classes.
CLASS_COLORS = ("#f59322", "#0877bd", "#2ca25f", "#8e44ad", "#d6336c")
BOUNDARY_COLOR = "#222222"
#: the logistic-regression overlay: a broad grey line under the dark boundary (segments
#: are drawn in pairs, so a dash pattern would restart at every grid cell).
BASELINE_COLOR = "#8c8c8c"
