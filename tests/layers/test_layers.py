"""The shared GAN layers: the checks every layer gets (`run_layer_test`), the behaviour that
defines each, and a save/load round trip."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_signgan.layers import (
    ConditionalBatchNormalization,
    DiffAugment,
    MinibatchStandardDeviation,
    SelfAttention,
    maybe_spectral_norm,
)
from keras_signgan.models.biggan.blocks import DiscriminatorBlock, GeneratorBlock
from tests.layer_test_case import run_layer_test

RNG = np.random.default_rng(42)


@pytest.mark.parametrize("use_spectral_norm", [True, False])
def test_conditional_batch_norm_layer_checks(use_spectral_norm, tmp_path):
    x = RNG.normal(size=(2, 4, 4, 8)).astype("float32")
    condition = RNG.normal(size=(2, 6)).astype("float32")
    run_layer_test(
        ConditionalBatchNormalization,
        dict(momentum=0.8, epsilon=1e-3, synchronized=False, use_spectral_norm=use_spectral_norm),
        [x, condition],
        expected_output_shape=(2, 4, 4, 8),
        tmp_path=tmp_path,
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=4 if use_spectral_norm else 2,
    )


def test_self_attention_layer_checks(tmp_path):
    run_layer_test(
        SelfAttention,
        dict(use_spectral_norm=True),
        RNG.normal(size=(2, 8, 8, 16)).astype("float32"),
        expected_output_shape=(2, 8, 8, 16),
        tmp_path=tmp_path,
        expected_num_trainable_weights=5,
        expected_num_non_trainable_weights=4,
    )


def test_diffaugment_layer_checks(tmp_path):
    run_layer_test(
        DiffAugment,
        dict(policy="color,translation,cutout", translation_ratio=0.25, cutout_ratio=0.25, probability=0.5, seed=3),
        RNG.uniform(-1, 1, (2, 8, 8, 3)).astype("float32"),
        expected_output_shape=(2, 8, 8, 3),
        tmp_path=tmp_path,
        expected_num_trainable_weights=0,
    )


def test_minibatch_standard_deviation_layer_checks(tmp_path):
    run_layer_test(
        MinibatchStandardDeviation,
        dict(group_size=2),
        RNG.normal(size=(4, 4, 4, 8)).astype("float32"),
        expected_output_shape=(4, 4, 4, 9),
        tmp_path=tmp_path,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
    )


def test_minibatch_standard_deviation_measures_each_group_of_consecutive_images():
    # Images 0-3 are copies of one image, 4-7 differ: only the second group has a spread,
    # and interleaving the groups (StyleGAN's strided grouping) would hide the copies.
    copies = np.repeat(RNG.normal(size=(1, 2, 2, 3)), 4, axis=0)
    varied = RNG.normal(size=(4, 2, 2, 3))
    x = np.concatenate([copies, varied]).astype("float32")
    y = ops.convert_to_numpy(MinibatchStandardDeviation(group_size=4)(x))
    np.testing.assert_array_equal(y[..., :3], x)
    np.testing.assert_allclose(y[:4, ..., 3], 1e-4, atol=1e-4)
    expected = np.sqrt(varied.var(axis=0) + 1e-8).mean()
    np.testing.assert_allclose(y[4:, ..., 3], expected, rtol=1e-5)
    with pytest.raises(ValueError, match="a multiple of 4. Received a batch of 6"):
        MinibatchStandardDeviation(group_size=4)(x[:6])


def test_spectral_norm_keeps_a_float32_kernel_under_mixed_precision():
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        dense = maybe_spectral_norm(keras.layers.Dense(4))
        dense(np.ones((2, 3), "float32"), training=True)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    assert dense.layer.compute_dtype == "float16" and dense.layer.kernel.dtype == "float32"
    kernel = np.asarray(dense.layer.kernel)
    assert not np.array_equal(kernel, kernel.astype("float16").astype("float32"))  # not rounded to fp16


def test_conditional_batch_norm_is_plain_batch_norm_modulated_by_the_condition():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, (8, 4, 4, 6)).astype("float32")
    condition = rng.normal(size=(8, 5)).astype("float32")
    layer = ConditionalBatchNormalization(use_spectral_norm=False)
    y = np.asarray(layer([x, condition], training=True))
    # Zero-initialised gain and bias: the layer starts as BN without scale or centre.
    mean = x.mean(axis=(0, 1, 2))
    var = x.var(axis=(0, 1, 2))
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5), atol=1e-4)
    gain = rng.normal(size=(5, 6)).astype("float32")
    bias = rng.normal(size=(5, 6)).astype("float32")
    layer.gain.kernel.assign(gain)
    layer.bias.kernel.assign(bias)
    y = np.asarray(layer([x, condition], training=True))
    normalized = (x - mean) / np.sqrt(var + 1e-5)
    expected = normalized * (1 + condition @ gain)[:, None, None, :] + (condition @ bias)[:, None, None, :]
    np.testing.assert_allclose(y, expected, atol=1e-4)


def test_conditional_batch_norm_uses_moving_statistics_at_inference():
    x = np.random.default_rng(1).normal(5.0, 1.0, (16, 2, 2, 3)).astype("float32")
    condition = np.zeros((16, 4), "float32")
    layer = ConditionalBatchNormalization(momentum=0.0, use_spectral_norm=False)
    layer([x, condition], training=True)  # momentum 0: moving stats become this batch's
    y = np.asarray(layer([x[:2], condition[:2]], training=False))
    expected = (x[:2] - x.mean(axis=(0, 1, 2))) / np.sqrt(x.var(axis=(0, 1, 2)) + 1e-5)
    np.testing.assert_allclose(y, expected, atol=1e-3)


def test_self_attention_starts_as_identity_and_then_mixes_positions():
    x = np.random.default_rng(2).normal(size=(2, 8, 8, 16)).astype("float32")
    layer = SelfAttention()
    np.testing.assert_allclose(np.asarray(layer(x)), x, atol=1e-6)
    layer.gamma.assign(1.0)
    y = np.asarray(layer(x))
    assert not np.allclose(y, x)
    # Attention is global: changing one corner changes the output at the opposite corner.
    x2 = x.copy()
    x2[:, 0, 0, :] += 10.0
    y2 = np.asarray(layer(x2))
    assert np.abs(y2[:, 7, 7, :] - y[:, 7, 7, :]).max() > 1e-4


def test_self_attention_rejects_channel_counts_it_cannot_split():
    with pytest.raises(ValueError, match="divisible by 8"):
        SelfAttention()(np.zeros((1, 4, 4, 12), "float32"))


def test_spectral_norm_bounds_the_largest_singular_value():
    dense = maybe_spectral_norm(keras.layers.Dense(8), power_iterations=1)
    dense.build((None, 16))
    dense.layer.kernel.assign(np.random.default_rng(3).normal(0, 5.0, (16, 8)).astype("float32"))
    for _ in range(30):  # power iteration converges across training calls
        dense(np.zeros((1, 16), "float32"), training=True)
    sigma = np.linalg.svd(np.asarray(dense.layer.kernel), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, rel=0.02)
    assert maybe_spectral_norm(keras.layers.Dense(2), enabled=False).__class__ is keras.layers.Dense


def test_diffaugment_is_identity_at_inference_and_random_in_training():
    x = np.random.default_rng(4).uniform(-1, 1, (4, 16, 16, 3)).astype("float32")
    layer = DiffAugment("color,translation,cutout", seed=0)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    a = np.asarray(layer(x, training=True))
    b = np.asarray(layer(x, training=True))
    assert a.shape == x.shape and not np.allclose(a, x) and not np.allclose(a, b)


def test_diffaugment_passes_gradients_to_the_images():
    import tensorflow as tf

    x = tf.Variable(np.random.default_rng(5).uniform(-1, 1, (2, 16, 16, 3)).astype("float32"))
    layer = DiffAugment("color,translation,cutout", seed=1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x, training=True) ** 2)
    grad = tape.gradient(loss, x)
    assert grad is not None and float(tf.reduce_sum(tf.abs(grad))) > 0


def test_diffaugment_brightness_shifts_by_at_most_half_as_the_reference():
    # On a constant image saturation and contrast change nothing, so only the brightness
    # shift u - 0.5, u ~ U(0, 1) (DiffAugment's rand_brightness on [-1, 1] images) remains.
    layer = DiffAugment("color", seed=3)
    out = ops.convert_to_numpy(layer(ops.zeros((512, 4, 4, 3)), training=True))
    per_image = out.reshape(512, -1)
    np.testing.assert_allclose(per_image, per_image[:, :1].repeat(per_image.shape[1], axis=1), atol=1e-6)
    assert np.abs(out).max() <= 0.5
    assert np.abs(out).max() > 0.45


def test_diffaugment_rejects_unknown_policies():
    with pytest.raises(ValueError, match="Unknown DiffAugment policy"):
        DiffAugment("color,rotate")
    for probability in (0.0, 1.5):
        with pytest.raises(ValueError, match="probability must be in"):
            DiffAugment("translation", probability=probability)


def test_diffaugment_probability_leaves_some_images_unshifted_and_whole():
    x = np.random.default_rng(6).uniform(0.1, 1, (400, 8, 8, 3)).astype("float32")
    for policy in ("translation", "cutout"):
        out = ops.convert_to_numpy(DiffAugment(policy, probability=0.25, seed=7)(x, training=True))
        untouched = np.all(out == x, axis=(1, 2, 3))
        # A shift of 0 leaves an image as it was too (1 of the 3 x 3 shifts at this size).
        expected = 0.75 + (0.25 / 9 if policy == "translation" else 0.0)
        assert abs(untouched.mean() - expected) < 0.06, (policy, untouched.mean())
    # Colour is not subject to it; probability 1 draws DiffAugment's own numbers.
    colour = ops.convert_to_numpy(DiffAugment("color", probability=0.25, seed=8)(x, training=True))
    assert not np.any(np.all(colour == x, axis=(1, 2, 3)))
    every = DiffAugment("color,translation,cutout", probability=1.0, seed=9)(x, training=True)
    default = DiffAugment("color,translation,cutout", seed=9)(x, training=True)
    np.testing.assert_array_equal(ops.convert_to_numpy(every), ops.convert_to_numpy(default))


def test_layers_survive_a_keras_save_and_load(tmp_path):
    z = keras.Input((4, 4, 16))
    condition = keras.Input((6,))
    x = GeneratorBlock(16, name="up")([z, condition])
    x = SelfAttention(name="attention")(x)
    x = ConditionalBatchNormalization(name="cbn")([x, condition])
    x = DiscriminatorBlock(16, name="down")(x)
    x = DiffAugment("translation", name="augment")(x)
    model = keras.Model([z, condition], x)
    model.get_layer("attention").gamma.assign(0.5)
    path = tmp_path / "layers.keras"
    model.save(path)
    loaded = keras.models.load_model(path)  # safe_mode stays on
    inputs = [np.random.default_rng(8).normal(size=(2, 4, 4, 16)).astype("float32"), np.ones((2, 6), "float32")]
    np.testing.assert_allclose(np.asarray(loaded(inputs)), np.asarray(model(inputs)), atol=1e-5)
    assert ops.convert_to_numpy(loaded.get_layer("attention").gamma) == pytest.approx(0.5)
