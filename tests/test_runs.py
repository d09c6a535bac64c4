"""Run directories: checkpoints keyed by variable path, refused when they come from another
architecture; a checkpoint written by older code (by position) still restores."""

import pathlib

import numpy as np
import pytest

from keras_signgan.config import TrainConfig
from keras_signgan.errors import RunError
from keras_signgan.generators import load_generator
from keras_signgan.legacy import revision_layout
from keras_signgan.models import MODEL_NAMES
from keras_signgan.runs import (
    CHECKPOINT_FORMAT,
    checkpoint_keys,
    latest_checkpoint,
    restore_checkpoint,
    restore_latest_checkpoint,
    save_checkpoint,
)
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
    config.model, config.loss, config.n_critic, config.layout = "basic", "bce", 1, {}
    gan = build_compiled_gan(config)
    with pytest.raises(RunError, match="different architecture or configuration"):
        restore_checkpoint(gan, latest_checkpoint(OLD_RUN), include_optimizers=False)


def tiny_config(model, **overrides):
    values = dict(size="tiny", image_size=16, class_names=["a", "b", "c"], diffaugment="color,translation")
    values.update(overrides)
    return TrainConfig.create(model, "npz", **values)


def perturb(gan, seed):
    """Give every float variable of the GAN and its optimizers a distinct random value."""
    rng = np.random.default_rng(seed)
    for variable in checkpoint_keys(gan).values():
        if variable.dtype.startswith("float"):
            variable.assign(rng.normal(size=variable.shape).astype(variable.dtype))


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_checkpoints_are_keyed_by_network_and_path_the_same_in_every_build(model, tmp_path):
    config = tiny_config(model, lecam_weight=0.1)
    first = build_compiled_gan(config)
    # Building more models in the same process renames Keras's unnamed objects (dense_1, adam_2):
    # the keys must not depend on that.
    build_compiled_gan(config)
    second = build_compiled_gan(config)
    keys = checkpoint_keys(first)
    assert list(keys) == list(checkpoint_keys(second))
    assert any(k.startswith("model/ema_generator/") for k in keys) == (config.ema_decay is not None)
    assert any(k.startswith("model/discriminator/") for k in keys)
    assert "model/gan/%s/step" % model in keys and any(k.startswith("g_optimizer/") for k in keys)

    perturb(first, seed=1)
    first.step.assign(7)
    path = save_checkpoint(first, tmp_path)
    with np.load(path, allow_pickle=False) as data:
        assert int(data["__format__"]) == CHECKPOINT_FORMAT
        assert set(data.files) == set(keys) | {"__format__", "__step__"}
    assert restore_checkpoint(second, path) == 7
    for key, variable in checkpoint_keys(second).items():
        np.testing.assert_array_equal(np.asarray(variable), np.asarray(keys[key]), err_msg=key)


def test_a_keyed_checkpoint_from_another_architecture_is_refused_naming_what_differs(tmp_path):
    wide = build_compiled_gan(tiny_config("biggan"))
    path = save_checkpoint(wide, tmp_path)
    # Without DiffAugment the GAN has no augmentation seed state: one variable fewer.
    other = build_compiled_gan(tiny_config("biggan", diffaugment=""))
    before = [np.asarray(v).copy() for v in other.generator.variables]
    with pytest.raises(RunError, match="different architecture.*holds 1 the model does not have.*seed_generator"):
        restore_checkpoint(other, path)
    assert all(np.array_equal(a, np.asarray(v)) for a, v in zip(before, other.generator.variables))
    # A layout change (another layer revision) is missing variables, and refused by load too.
    older = build_compiled_gan(tiny_config("biggan", layout=revision_layout("biggan", "tiny", 16, 1)))
    with pytest.raises(RunError, match="different architecture.*lacks"):
        restore_checkpoint(older, path, include_optimizers=False)


def test_restore_skips_a_newest_checkpoint_that_does_not_fit_with_one_warning(tmp_path):
    config = tiny_config("wcgan")
    gan = build_compiled_gan(config)
    gan.step.assign(2)
    save_checkpoint(gan, tmp_path)
    other = build_compiled_gan(tiny_config("basic"))
    other.step.assign(4)
    save_checkpoint(other, tmp_path)
    warnings = []
    step, path = restore_latest_checkpoint(build_compiled_gan(config), tmp_path, warn=warnings.append)
    assert step == 2 and path.name == "ckpt-0000002.npz"
    assert len(warnings) == 1 and "ckpt-0000004.npz" in warnings[0]
