"""BigGAN's residual blocks and projection head: the shared layer checks, and what defines them."""

import numpy as np
import pytest

from keras_signgan.models.biggan.blocks import DiscriminatorBlock, GeneratorBlock, ProjectionHead
from tests.layer_test_case import run_layer_test

RNG = np.random.default_rng(43)


@pytest.mark.parametrize("upsample", [True, False])
def test_generator_block_layer_checks(upsample, tmp_path):
    x = RNG.normal(size=(2, 4, 4, 16)).astype("float32")
    condition = RNG.normal(size=(2, 10)).astype("float32")
    size = 8 if upsample else 4
    run_layer_test(
        GeneratorBlock,
        dict(filters=8, upsample=upsample, use_spectral_norm=True),
        [x, condition],
        expected_output_shape=(2, size, size, 8),
        tmp_path=tmp_path,
        expected_num_trainable_weights=10,
        expected_num_non_trainable_weights=11,
        expected_mixed_output_dtype="float32",  # its last convolution is spectrally normalised (float32)
    )


@pytest.mark.parametrize("downsample, preactivation", [(True, False), (True, True), (False, True)])
def test_discriminator_block_layer_checks(downsample, preactivation, tmp_path):
    x = RNG.normal(size=(2, 8, 8, 16)).astype("float32")
    size = 4 if downsample else 8
    run_layer_test(
        DiscriminatorBlock,
        dict(filters=16, downsample=downsample, preactivation=preactivation, use_spectral_norm=True),
        x,
        expected_output_shape=(2, size, size, 16),
        tmp_path=tmp_path,
        expected_num_trainable_weights=6 if downsample else 4,
        expected_num_non_trainable_weights=3 if downsample else 2,
        expected_mixed_output_dtype="float32",  # spectrally normalised convolutions (float32)
    )


def test_projection_head_layer_checks(tmp_path):
    run_layer_test(
        ProjectionHead,
        dict(num_classes=3, use_spectral_norm=True),
        [RNG.normal(size=(4, 6)).astype("float32"), np.array([0, 1, 2, 1], "int32")],
        expected_output_shape=(4, 1),
        tmp_path=tmp_path,
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=2,
        expected_mixed_output_dtype="float32",  # logits are float32 by design
    )


def test_generator_block_lists_its_batch_norms():
    block = GeneratorBlock(8)
    block([np.zeros((1, 4, 4, 8), "float32"), np.zeros((1, 4), "float32")])
    assert block.batch_norm_layers == [block.norm_1.batch_norm, block.norm_2.batch_norm]


def test_generator_block_keeps_the_variables_of_upsampling_then_conv3x3():
    # Its up-sampling convolution holds the 3x3 kernel of the Conv2D it replaced, under the
    # same path and in the same place: checkpoints written before it still restore.
    block = GeneratorBlock(8, name="block")
    block([np.zeros((1, 4, 4, 16), "float32"), np.zeros((1, 4), "float32")])
    conv_1 = [(w.path, tuple(w.shape)) for w in block.weights if "conv_1" in w.path]
    assert conv_1 == [
        ("block/sn_conv_1/conv_1/kernel", (3, 3, 16, 8)),
        ("block/sn_conv_1/vector_u", (1, 8)),
        ("block/sn_conv_1/conv_1/bias", (8,)),
    ]


def test_residual_blocks_change_resolution_and_width():
    x = np.random.default_rng(6).normal(size=(2, 4, 4, 16)).astype("float32")
    condition = np.ones((2, 10), "float32")
    up = GeneratorBlock(8)([x, condition], training=True)
    assert tuple(up.shape) == (2, 8, 8, 8)
    down = DiscriminatorBlock(32)(np.asarray(up))
    assert tuple(down.shape) == (2, 4, 4, 32)
    same = DiscriminatorBlock(32, downsample=False)(np.asarray(down))
    assert tuple(same.shape) == (2, 4, 4, 32)


def test_projection_head_adds_the_class_projection():
    features = np.random.default_rng(7).normal(size=(3, 6)).astype("float32")
    labels = np.array([0, 1, 2], "int32")
    head = ProjectionHead(3, use_spectral_norm=False)
    logits = np.asarray(head([features, labels]))
    w = np.asarray(head.linear.kernel)
    b = np.asarray(head.linear.bias)
    embedding = np.asarray(head.embedding.kernel)  # (classes, channels)
    expected = features @ w + b + np.sum(embedding[labels] * features, axis=-1, keepdims=True)
    np.testing.assert_allclose(logits, expected, atol=1e-5)
    assert logits.dtype == np.float32
