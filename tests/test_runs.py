"""Run directories: a checkpoint written by older code still restores to the same generator."""

import pathlib

import numpy as np
import pytest

from keras_signgan.config import TrainConfig
from keras_signgan.errors import RunError
from keras_signgan.generators import load_generator
from keras_signgan.runs import latest_checkpoint, restore_checkpoint
from keras_signgan.training.fit import build_compiled_gan

# Written by `tests/fixtures/make_checkpoint_fixture.py` at commit a1931c0: a tiny WCGAN on
# 16x16 images, 2 steps, and the images sampling from it gave then.
OLD_RUN = pathlib.Path(__file__).resolve().parent / "fixtures" / "wcgan-tiny-16"


def expected_samples():
    with np.load(OLD_RUN / "expected_samples.npz", allow_pickle=False) as data:
        return data["images"], data["labels"], int(data["seed"])


def assert_same_images(images, expected):
    assert images.dtype == np.uint8 and images.shape == expected.shape
    # Identical on the machine that wrote them; allow a rounding step elsewhere.
    assert np.abs(images.astype(int) - expected.astype(int)).max() <= 1
    assert np.mean(images == expected) > 0.99


def test_an_old_checkpoint_restores_to_the_same_samples():
    images, labels, seed = expected_samples()
    generator = load_generator(OLD_RUN)
    assert generator.step == 2 and generator.class_names == ["Five", "Four", "Horns"]
    assert_same_images(generator.generate(labels, seed=seed), images)


def test_an_old_checkpoint_restores_the_optimizers_to_continue_training():
    images, labels, seed = expected_samples()
    config = TrainConfig.from_json((OLD_RUN / "config.json").read_text())
    gan = build_compiled_gan(config)
    step = restore_checkpoint(gan, latest_checkpoint(OLD_RUN))
    assert step == 2 and int(np.asarray(gan.step)) == 2
    # n_critic=2 discriminator updates and one generator update per step.
    assert int(np.asarray(gan.d_optimizer.iterations)) == 4
    assert int(np.asarray(gan.g_optimizer.iterations)) == 2
    assert any(np.abs(np.asarray(v)).max() > 0 for v in gan.g_optimizer.variables[1:])
    assert_same_images(gan.sample(labels, seed=seed), images)


def test_a_checkpoint_from_another_configuration_is_refused():
    config = TrainConfig.from_json((OLD_RUN / "config.json").read_text())
    config.model, config.loss, config.n_critic = "basic", "bce", 1
    gan = build_compiled_gan(config)
    with pytest.raises(RunError, match="different configuration"):
        restore_checkpoint(gan, latest_checkpoint(OLD_RUN), include_optimizers=False)
