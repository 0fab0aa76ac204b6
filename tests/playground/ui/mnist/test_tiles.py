"""Tiling images for the MNIST page's plots: grid shapes, mosaics, colour levels."""

import numpy as np
import pytest

from playground.ui.mnist import tiles as tiling

# ---------------------------------------------------------------- mosaics and levels

def test_grid_shape_prefers_full_rows():
    assert tiling.grid_shape(30) == (5, 6)
    assert tiling.grid_shape(100) == (10, 10)
    assert tiling.grid_shape(7) == (3, 3)
    assert tiling.grid_shape(0) == (0, 0)


def test_fit_columns_uses_the_area_shape():
    assert tiling.fit_columns(30, 24, 24, 1000, 250) == 10
    assert tiling.fit_columns(30, 24, 24, 300, 300) in (5, 6)


def test_fit_columns_counts_the_gaps_between_small_tiles():
    # 32 tiles of 7x15: without gaps 5 columns fit best, with 3 px gaps 6 do
    assert tiling.fit_columns(32, 7, 15, 370, 210) == 5
    assert tiling.fit_columns(32, 7, 15, 370, 210, gap=3) == 6


def test_mosaic_places_tiles_with_nan_gaps():
    tiles = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    m = tiling.mosaic(tiles, cols=3, gap=1)
    assert m.shape == (2 * 2 + 1, 3 * 3 + 2)
    np.testing.assert_array_equal(m[0:2, 0:3], tiles[0])
    np.testing.assert_array_equal(m[0:2, 4:7], tiles[1])
    np.testing.assert_array_equal(m[3:5, 4:7], tiles[4])
    assert np.isnan(m[2]).all() and np.isnan(m[:, 3]).all()
    assert np.isnan(m[3:5, 8:11]).all()  # the empty sixth cell
    with pytest.raises(ValueError, match="n, h, w"):
        tiling.mosaic(np.zeros((2, 2)))


def test_symmetric_levels():
    assert tiling.symmetric_levels(np.array([-0.2, 0.5, np.nan])) == (-0.5, 0.5)
    assert tiling.symmetric_levels(np.zeros(3)) == (-1.0, 1.0)
