import numpy as np
import pytest

from keras_signgan.errors import ConfigError
from keras_signgan.models.losses import check_loss, discriminator_loss, generator_loss

REAL = np.array([[2.0], [-0.5], [0.0]], dtype="float32")
FAKE = np.array([[-1.5], [0.3], [4.0]], dtype="float32")


def softplus(x):
    return np.log1p(np.exp(x))


def test_bce_is_the_non_saturating_loss():
    d = np.asarray(discriminator_loss("bce", REAL, FAKE))
    np.testing.assert_allclose(d, softplus(-REAL[:, 0]) + softplus(FAKE[:, 0]), rtol=1e-6)
    g = np.asarray(generator_loss("bce", FAKE))
    np.testing.assert_allclose(g, softplus(-FAKE[:, 0]), rtol=1e-6)


def test_wasserstein_is_the_critic_gap():
    np.testing.assert_allclose(discriminator_loss("wasserstein", REAL, FAKE), FAKE[:, 0] - REAL[:, 0])
    np.testing.assert_allclose(generator_loss("wasserstein", FAKE), -FAKE[:, 0])


def test_hinge_saturates_beyond_the_margin():
    d = np.asarray(discriminator_loss("hinge", REAL, FAKE))
    expected = np.maximum(0, 1 - REAL[:, 0]) + np.maximum(0, 1 + FAKE[:, 0])
    np.testing.assert_allclose(d, expected)
    # A confident, correct discriminator (real > 1, fake < -1) has zero loss.
    assert float(np.asarray(discriminator_loss("hinge", np.array([[3.0]]), np.array([[-2.0]])))[0]) == 0.0
    np.testing.assert_allclose(generator_loss("hinge", FAKE), -FAKE[:, 0])


def test_unknown_loss_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="bce, wasserstein, hinge"):
        check_loss("lsgan")
