"""The faster stand-ins for Keras layers compute what the Keras layers compute: spectral
normalisation without the zero-kernel test, nearest up-sampling by resize, up-sampling and
a 3x3 convolution as one phase-folded convolution, fused batch norm, and DiffAugment's
translation by one-hot matrix products."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_signgan.layers import (
    BatchNormalization,
    DiffAugment,
    NearestUpSampling2D,
    SpectralNormalization,
    UpsampleConv2D,
    maybe_spectral_norm,
)
from tests.layer_test_case import run_layer_test

RNG = np.random.default_rng(7)


def test_spectral_norm_matches_keras_call_for_call():
    kernel = RNG.normal(0, 3.0, (3, 3, 4, 5)).astype("float32")
    x = RNG.normal(size=(2, 6, 6, 4)).astype("float32")
    ours = SpectralNormalization(keras.layers.Conv2D(5, 3, padding="same"))
    theirs = keras.layers.SpectralNormalization(keras.layers.Conv2D(5, 3, padding="same"))
    for layer in (ours, theirs):
        layer.build(x.shape)
        layer.layer.kernel.assign(kernel)
        layer.vector_u.assign(np.ones((1, 5), "float32") / np.sqrt(5))
    for _ in range(4):
        np.testing.assert_allclose(
            np.asarray(ours(x, training=True)), np.asarray(theirs(x, training=True)), rtol=1e-5, atol=1e-5
        )
    np.testing.assert_allclose(np.asarray(ours.layer.kernel), np.asarray(theirs.layer.kernel), rtol=1e-5, atol=1e-6)
    # Outside training the kernel is left alone.
    before = np.asarray(ours.layer.kernel)
    ours(x, training=False)
    np.testing.assert_array_equal(np.asarray(ours.layer.kernel), before)


@pytest.mark.parametrize("size", [2, (2, 3)])
def test_nearest_upsampling_equals_keras_with_its_gradient(size):
    x = tf.constant(RNG.normal(size=(2, 5, 4, 3)).astype("float32"))
    weights = tf.constant(
        RNG.normal(size=(2, 10, 4 * (size if isinstance(size, int) else size[1]), 3)).astype("float32")
    )
    results = []
    for layer in (NearestUpSampling2D(size), keras.layers.UpSampling2D(size, interpolation="nearest")):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
            loss = tf.reduce_sum(y * weights)
        results.append((y.numpy(), tape.gradient(loss, x).numpy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1], atol=1e-5)


def _upsample_conv_pair(filters, use_bias=True):
    """The layers `UpsampleConv2D` stands for: nearest 2x up-sampling, then a 3x3 'same' Conv2D."""
    conv = keras.layers.Conv2D(filters, 3, padding="same", use_bias=use_bias)
    return lambda x: conv(NearestUpSampling2D(2)(x)), conv


@pytest.mark.parametrize(
    "shape, filters, use_bias",
    [((2, 4, 4, 3), 5, True), ((3, 5, 7, 8), 4, False), ((2, 3, 6, 1), 16, True), ((4, 1, 1, 2), 3, True)],
)
def test_upsample_conv_equals_upsampling_then_conv_with_its_gradients(shape, filters, use_bias):
    x = tf.constant(RNG.normal(size=shape).astype("float32"))
    out_shape = (shape[0], 2 * shape[1], 2 * shape[2], filters)
    weights = tf.constant(RNG.normal(size=out_shape).astype("float32"))
    fused = UpsampleConv2D(filters, use_bias=use_bias)
    pair, conv = _upsample_conv_pair(filters, use_bias)
    fused.build(shape)
    conv.build(out_shape[:3] + shape[3:])
    assert [(w.name, w.shape) for w in fused.weights] == [(w.name, w.shape) for w in conv.weights]
    fused.set_weights([RNG.normal(size=w.shape).astype("float32") for w in fused.weights])
    conv.set_weights(fused.get_weights())
    results = []
    for layer, variables in ((fused, fused.trainable_weights), (pair, conv.trainable_weights)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
            loss = tf.reduce_sum(y * weights)
        results.append([y.numpy()] + [g.numpy() for g in tape.gradient(loss, [x] + variables)])
    assert results[0][0].shape == out_shape and len(results[0]) == (4 if use_bias else 3)
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5 * np.abs(theirs).max())


def test_upsample_conv_layer_checks(tmp_path):
    run_layer_test(
        UpsampleConv2D,
        dict(filters=6, use_bias=True, activation="relu"),
        RNG.normal(size=(2, 3, 5, 4)).astype("float32"),
        expected_output_shape=(2, 6, 10, 6),
        tmp_path=tmp_path,
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=0,
    )


def test_spectrally_normalised_upsample_conv_equals_the_normalised_pair():
    x = RNG.normal(size=(2, 4, 4, 3)).astype("float32")
    fused = maybe_spectral_norm(UpsampleConv2D(5, name="conv"))
    conv = keras.layers.Conv2D(5, 3, padding="same", name="conv")
    normalised = maybe_spectral_norm(conv)
    fused.build(x.shape)
    normalised.build((2, 8, 8, 3))
    # The same variables under the same paths: a checkpoint of either restores into the other.
    assert [(w.path, w.shape) for w in fused.weights] == [(w.path, w.shape) for w in normalised.weights]
    normalised.set_weights([RNG.normal(size=w.shape).astype("float32") for w in normalised.weights])
    fused.set_weights(normalised.get_weights())
    upsample = NearestUpSampling2D(2)
    for training in (True, True, True, False):
        np.testing.assert_allclose(
            np.asarray(fused(x, training=training)),
            np.asarray(normalised(upsample(x), training=training)),
            rtol=1e-5,
            atol=1e-5,
        )
    np.testing.assert_allclose(np.asarray(fused.layer.kernel), np.asarray(conv.kernel), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "argument", [dict(kernel_size=5), dict(strides=2), dict(padding="valid"), dict(dilation_rate=2), dict(groups=2)]
)
def test_upsample_conv_refuses_what_it_does_not_compute(argument):
    (name,) = argument
    with pytest.raises(ValueError, match=f"supports only {name}="):
        UpsampleConv2D(4, **argument)


@pytest.mark.parametrize("center_scale", [False, True])
def test_fused_batch_norm_matches_keras_outputs_gradients_and_moving_statistics(center_scale):
    x = tf.constant(RNG.normal(2.0, 3.0, (4, 6, 6, 8)).astype("float32"))
    weights = tf.constant(RNG.normal(size=(4, 6, 6, 8)).astype("float32"))
    options = dict(momentum=0.8, epsilon=1e-5, center=center_scale, scale=center_scale)
    ours, theirs = BatchNormalization(**options), keras.layers.BatchNormalization(**options)
    results = []
    for layer in (ours, theirs):
        layer.build(x.shape)
        if center_scale:
            layer.gamma.assign(RNG.normal(1.0, 0.1, 8).astype("float32") if not results else np.asarray(ours.gamma))
            layer.beta.assign(np.linspace(-1, 1, 8).astype("float32"))
        for _ in range(3):
            with tf.GradientTape() as tape:
                tape.watch(x)
                loss = tf.reduce_sum(layer(x, training=True) * weights)
            grads = tape.gradient(loss, [x] + layer.trainable_variables)
        results.append(
            [layer(x, training=True).numpy()]
            + [g.numpy() for g in grads]
            + [np.asarray(layer.moving_mean), np.asarray(layer.moving_variance)]
        )
    assert len(results[0]) == len(results[1])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    # Four training calls: the moving variance is the biased batch variance averaged in, as
    # Keras keeps it (the fused kernel's n / (n - 1) undone).
    np.testing.assert_allclose(
        np.asarray(ours.moving_variance), 0.8**4 + np.var(x.numpy(), axis=(0, 1, 2)) * (1 - 0.8**4), rtol=1e-4
    )


def test_fused_batch_norm_takes_keras_path_when_synchronized_or_not_4d():
    layer = BatchNormalization(synchronized=True)
    assert not layer._can_fuse(tf.zeros((2, 4, 4, 3)), None)
    assert not BatchNormalization()._can_fuse(tf.zeros((2, 3)), None)
    dense_input = RNG.normal(size=(8, 3)).astype("float32")
    np.testing.assert_allclose(
        np.asarray(BatchNormalization()(dense_input, training=True)),
        np.asarray(keras.layers.BatchNormalization()(dense_input, training=True)),
        atol=1e-5,
    )


def _reference_translation(x, shift_y, shift_x):
    """Shift every image by (shift_y[b], shift_x[b]) with zero fill: out[i, j] = x[i - dy, j - dx]."""
    out = np.zeros_like(x)
    h, w = x.shape[1:3]
    for b in range(len(x)):
        for i in range(h):
            for j in range(w):
                si, sj = i - shift_y[b], j - shift_x[b]
                if 0 <= si < h and 0 <= sj < w:
                    out[b, i, j] = x[b, si, sj]
    return out


def test_diffaugment_translation_is_an_exact_zero_filled_shift():
    x = RNG.uniform(-1, 1, (16, 8, 8, 3)).astype("float32")
    out = np.asarray(DiffAugment("translation", translation_ratio=0.25, seed=2)(x, training=True))
    shifts = []
    for b in range(len(x)):
        matches = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
            if np.array_equal(out[b], _reference_translation(x[b : b + 1], [dy], [dx])[0])
        ]
        assert len(matches) == 1, f"image {b} is not one zero-filled shift of at most 2 pixels"
        shifts.append(matches[0])
    assert len(set(shifts)) > 3  # shifts differ between images
