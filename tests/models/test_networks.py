"""Generator and discriminator builders: the input/output contract every GAN relies on."""

import keras
import numpy as np
import pytest

from keras_signgan import models
from keras_signgan.errors import ConfigError
from keras_signgan.layers import NearestUpSampling2D, UpsampleConv2D
from keras_signgan.legacy import revision_layout
from keras_signgan.models.basic import networks as basic
from keras_signgan.models.biggan import networks as biggan
from keras_signgan.models.biggan.networks import latent_chunks
from keras_signgan.models.wcgan import networks as wcgan

FAMILIES = {"basic": basic, "wcgan": wcgan, "biggan": biggan}


def build(family, kind, **kwargs):
    return getattr(FAMILIES[family], f"build_{family}_{kind}")(5, **kwargs)


def default_layout(name, image_size, size="tiny"):
    return models.family(name).default_layout(size, image_size)


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("image_size", [32, 64])
def test_generator_and_discriminator_contract(family, image_size):
    generator = build(family, "generator", image_size=image_size, size="tiny")
    discriminator = build(family, "discriminator", image_size=image_size, size="tiny")
    assert [t.name for t in generator.inputs] == ["z", "label"]
    assert generator.inputs[1].dtype == "int32"
    z_dim = generator.inputs[0].shape[-1]
    z = keras.ops.convert_to_tensor(np.random.default_rng(0).normal(size=(3, z_dim)).astype("float32"))
    labels = keras.ops.convert_to_tensor(np.array([0, 2, 4], "int32"))
    images = generator([z, labels], training=False)
    assert tuple(images.shape) == (3, image_size, image_size, 3)
    assert images.dtype == "float32"
    values = keras.ops.convert_to_numpy(images)
    assert values.min() >= -1 and values.max() <= 1
    logits = discriminator([images, labels], training=False)
    assert tuple(logits.shape) == (3, 1) and logits.dtype == "float32"


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_label_changes_the_generated_image(family):
    generator = build(family, "generator", size="tiny")
    z = np.repeat(np.random.default_rng(1).normal(size=(1, generator.inputs[0].shape[-1])), 2, axis=0)
    z = keras.ops.convert_to_tensor(z.astype("float32"))
    images = keras.ops.convert_to_numpy(generator([z, keras.ops.convert_to_tensor(np.array([0, 3], "int32"))]))
    assert np.abs(images[0] - images[1]).max() > 1e-4


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_size_presets_grow(family):
    counts = [build(family, "generator", size=size).count_params() for size in ("tiny", "small", "base")]
    assert counts == sorted(counts) and counts[0] < counts[2]


def test_biggan_has_attention_and_projection():
    names = [layer.name for layer in build("biggan", "discriminator", size="tiny").layers]
    assert "attention" in names and "projection" in names
    assert "attention" in [layer.name for layer in build("biggan", "generator", size="tiny").layers]


def test_biggan_latent_is_split_over_the_blocks():
    assert latent_chunks(32, 4) == [8, 8, 8, 8]
    assert latent_chunks(30, 4) == [9, 7, 7, 7]
    assert build("biggan", "generator", size="tiny", z_dim=30).inputs[0].shape[-1] == 30


@pytest.mark.parametrize("image_size", [4, 24, 33])
def test_unsupported_image_sizes_are_refused_clearly(image_size):
    with pytest.raises(ConfigError, match="power of two"):
        build("wcgan", "generator", image_size=image_size, size="tiny")


def test_unknown_size_preset_is_refused():
    with pytest.raises(ConfigError, match="size preset"):
        build("biggan", "generator", size="huge")


def test_biggan_discriminator_follows_bigGANs_32x32_layout_and_keeps_revision_1():
    # BigGAN's CIFAR discriminator stops down-sampling at 8x8 (d_down = [T, T, F, F]).
    assert biggan.discriminator_downsampling(32, "cifar") == [True, True, False, False]
    assert biggan.discriminator_downsampling(64, default_layout("biggan", 64)["d_downsampling"]) == [
        True,
        True,
        True,
        True,
        False,
    ]
    assert biggan.discriminator_downsampling(32, "imagenet") == [True, True, True, False]
    for revision, last_side in ((2, 8), (1, 4)):
        discriminator = build(
            "biggan",
            "discriminator",
            image_size=32,
            size="tiny",
            layout=revision_layout("biggan", "tiny", 32, revision),
        )
        assert discriminator.get_layer("block_3").output.shape[1] == last_side


def test_wcgan_generator_resizes_then_convolves_from_revision_3_and_keeps_older_layouts():
    for revision, upsampling in (
        (3, UpsampleConv2D),  # nearest 2x resize and a 3x3 convolution, as one layer
        (2, keras.layers.Conv2DTranspose),
        (1, keras.layers.Conv2DTranspose),
    ):
        generator = build(
            "wcgan", "generator", image_size=32, size="tiny", layout=revision_layout("wcgan", "tiny", 32, revision)
        )
        assert type(generator.get_layer("up_0")) is upsampling
        assert type(generator.get_layer("to_rgb")) is upsampling
        assert generator.get_layer("to_rgb").kernel.shape == ((3, 3, 8, 3) if revision >= 3 else (4, 4, 3, 8))
        assert generator.output.shape[1:] == (32, 32, 3)


def _as_upsampling_then_conv(layer, inputs):
    """What `UpsampleConv2D` stands for, with its own kernel: resize, then Keras' Conv2D call."""
    return keras.layers.Conv2D.call(layer, NearestUpSampling2D(2)(inputs))


@pytest.mark.parametrize("family, layout", [("biggan", None), ("wcgan", {"g_upsampling": "resize-conv"})])
def test_generators_give_the_images_of_upsampling_then_convolution(family, layout, monkeypatch):
    generator = build(family, "generator", image_size=32, size="tiny", layout=layout)
    fused = [layer for layer in generator._flatten_layers() if isinstance(layer, UpsampleConv2D)]
    assert len(fused) == 3
    rng = np.random.default_rng(2)
    for layer in fused:  # weights of a trained network's size, not the initialiser's
        layer.kernel.assign(rng.normal(0, 0.5 / np.sqrt(9 * layer.kernel.shape[2]), layer.kernel.shape))
    z = keras.ops.convert_to_tensor(rng.normal(size=(4, generator.inputs[0].shape[-1])).astype("float32"))
    labels = keras.ops.convert_to_tensor(np.array([0, 1, 2, 4], "int32"))
    images = keras.ops.convert_to_numpy(generator([z, labels], training=False))
    monkeypatch.setattr(UpsampleConv2D, "call", _as_upsampling_then_conv)
    expected = keras.ops.convert_to_numpy(generator([z, labels], training=False))
    scale = np.abs(expected).max()
    assert expected.std() > 0.1 * scale and scale < 0.999  # neither flat nor saturated by the tanh
    np.testing.assert_allclose(images, expected, rtol=1e-4, atol=1e-5 * scale)


def test_small_biggan_narrows_only_its_full_resolution_blocks_from_revision_2():
    for revision, channels in ((2, 32), (1, 64)):
        layout = revision_layout("biggan", "small", 32, revision)
        generator = build("biggan", "generator", image_size=32, size="small", layout=layout)
        discriminator = build("biggan", "discriminator", image_size=32, size="small", layout=layout)
        assert generator.get_layer("block_2").output.shape[-1] == channels
        assert generator.get_layer("block_1").output.shape[-1] == 64
        assert discriminator.get_layer("block_0").output.shape[-1] == channels
        assert discriminator.get_layer("block_1").output.shape[-1] == 64


def test_small_biggan_discriminator_is_twice_as_wide_as_its_generator_and_d_channels_set_it():
    generator = build("biggan", "generator", image_size=32, size="small")
    discriminator = build("biggan", "discriminator", image_size=32, size="small")
    assert generator.get_layer("block_1").output.shape[-1] == 64
    assert discriminator.get_layer("block_0").output.shape[-1] == 32  # full resolution: unchanged
    assert [discriminator.get_layer(f"block_{i}").output.shape[-1] for i in (1, 2, 3)] == [128] * 3
    narrow = build("biggan", "discriminator", image_size=32, size="small", layout={"d_channels": 48})
    assert narrow.get_layer("block_3").output.shape[-1] == 48
    assert build("biggan", "discriminator", size="long").get_layer("block_3").output.shape[-1] == 128


@pytest.mark.parametrize("image_size, last_block", [(32, "block_3"), (64, "block_4")])
def test_biggan_minibatch_std_feeds_the_discriminators_last_block_only(image_size, last_block):
    plain = build("biggan", "discriminator", image_size=image_size, size="tiny")
    with_std = build("biggan", "discriminator", image_size=image_size, size="tiny", layout={"d_minibatch_std": "on"})
    assert "minibatch_std" not in [layer.name for layer in plain.layers]
    layer = with_std.get_layer("minibatch_std")
    before = with_std.layers[with_std.layers.index(layer) - 1]
    assert with_std.layers[with_std.layers.index(layer) + 1].name == last_block
    assert layer.output.shape[-1] == before.output.shape[-1] + 1
    # One more input channel in the last block's weights, nothing else changes.
    extra = with_std.count_params() - plain.count_params()
    assert 0 < extra < plain.count_params() // 10
    images = np.random.default_rng(0).uniform(-1, 1, (8, image_size, image_size, 3)).astype("float32")
    labels = np.arange(8) % 5
    assert with_std([images, labels]).shape == (8, 1)


def test_wcgan_critic_without_spectral_norm_has_the_same_layers_unwrapped():
    from keras_signgan.layers.spectral_norm import SpectralNormalization

    def wrapped(model):
        return [layer for layer in model._flatten_layers() if isinstance(layer, SpectralNormalization)]

    normalised = build("wcgan", "discriminator", image_size=32, size="tiny", layout={"critic_norm": "spectral"})
    plain = build("wcgan", "discriminator", image_size=32, size="tiny", layout={"critic_norm": "none"})
    assert len(wrapped(normalised)) == 4 and wrapped(plain) == []
    kernels = sorted(tuple(w.shape) for w in plain.trainable_weights)
    assert kernels == sorted(tuple(w.shape) for w in normalised.trainable_weights)
