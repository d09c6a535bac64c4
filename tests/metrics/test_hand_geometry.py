"""scripts/hand_geometry.py: the size, place and angle spreads behind the pose figures in docs/results.md."""

import numpy as np

from tests.scripts import load_script


def bar(x0, y0, width, height, size=32, value=200):
    image = np.zeros((size, size, 3), np.uint8)
    image[y0 : y0 + height, x0 : x0 + width, 0] = value
    return image


def test_geometry_of_a_bar_is_its_share_centre_and_axis():
    geometry = load_script("hand_geometry").hand_geometry(
        np.stack([bar(4, 10, 8, 2), bar(20, 2, 2, 8), np.zeros((32, 32, 3), np.uint8)])
    )
    size, x, y, doubled_angle = geometry.T
    np.testing.assert_allclose(size, [16 / 1024, 16 / 1024, 0.0])
    np.testing.assert_allclose(x, [7.5, 20.5, 15.5])
    np.testing.assert_allclose(y, [10.5, 5.5, 15.5])
    # A horizontal bar's axis is at 0, a vertical one's at 90 degrees (doubled: pi).
    np.testing.assert_allclose(np.abs(doubled_angle[:2]), [0.0, np.pi], atol=1e-9)


def test_dim_pixels_are_background():
    geometry = load_script("hand_geometry").hand_geometry(np.stack([bar(0, 0, 4, 4, value=30)]), threshold=40)
    assert geometry[0, 0] == 0.0


def test_ratios_are_one_for_the_same_images_and_zero_for_a_fixed_hand():
    script = load_script("hand_geometry")
    rng = np.random.default_rng(0)
    real = np.stack([bar(*rng.integers(0, 12, 2), *rng.integers(2, 16, 2)) for _ in range(40)])
    np.testing.assert_allclose(script.spread_ratios(real, real), 1.0)
    copies = np.stack([bar(5, 5, 10, 4)] * 40)
    np.testing.assert_allclose(script.spread_ratios(copies, real), 0.0, atol=1e-5)


def test_angle_spread_is_circular_over_the_axis():
    spreads = load_script("hand_geometry").spreads
    # Axes at +89 and -89 degrees are 2 degrees apart, not 178.
    near_vertical = np.array([[0.1, 5, 5, np.radians(178)], [0.1, 5, 5, np.radians(-178)]])
    assert spreads(near_vertical)[3] < np.radians(2)
