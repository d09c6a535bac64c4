"""One sampling path: the GAN in memory and a LoadedGenerator over it draw the same images
and refuse the same labels with the same message."""

import types

import numpy as np
import pytest

from keras_signgan.errors import ConfigError, SignGANError
from keras_signgan.generators import generator_from_gan
from keras_signgan.models.sampling import check_labels, generate, sample_latents
from tests.models.test_gan import NUM_CLASSES, SIZE, make_gan


def test_the_gan_and_its_loaded_generator_sample_alike():
    gan = make_gan()
    config = types.SimpleNamespace(class_names=list("abc"), model="basic", dataset="toy", truncation=None)
    loaded = generator_from_gan(gan, config, step=0)
    labels = [0, 2, 1, 1, 0]
    np.testing.assert_array_equal(gan.sample(labels, seed=5, batch_size=2), loaded.generate(labels, seed=5))
    messages = []
    for draw in (gan.sample, loaded.generate):
        with pytest.raises(SignGANError) as error:
            draw([0, NUM_CLASSES])
        messages.append(str(error.value))
    assert (
        messages[0]
        == messages[1]
        == f"Class labels must lie in [0, {NUM_CLASSES}). Received: min=0, max={NUM_CLASSES}."
    )
    assert loaded.generate([], seed=1).shape == (0, SIZE, SIZE, 3)


def test_batches_do_not_change_the_images_and_bad_truncation_is_refused():
    calls = []

    def batch(z, labels):
        calls.append(len(labels))
        return np.repeat((z[:, :1] * 10 + labels[:, None]).astype("uint8")[:, :, None, None], 3, axis=-1)

    whole = generate(batch, [0, 1, 2, 0, 1], 3, z_dim=2, image_size=1, seed=0, batch_size=8)
    parts = generate(batch, [0, 1, 2, 0, 1], 3, z_dim=2, image_size=1, seed=0, batch_size=2)
    np.testing.assert_array_equal(whole, parts)
    assert calls == [5, 2, 2, 1]
    with pytest.raises(ConfigError, match="--truncation must be > 0"):
        sample_latents(2, 2, truncation=0)
    assert check_labels([[1], [2]], 3).dtype == np.int32
