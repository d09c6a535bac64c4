"""Generator and discriminator builders: the input/output contract every GAN relies on."""

import keras
import numpy as np
import pytest

from keras_signgan import models
from keras_signgan.errors import ConfigError
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
        (3, keras.layers.Conv2D),
        (2, keras.layers.Conv2DTranspose),
        (1, keras.layers.Conv2DTranspose),
    ):
        generator = build(
            "wcgan", "generator", image_size=32, size="tiny", layout=revision_layout("wcgan", "tiny", 32, revision)
        )
        assert type(generator.get_layer("up_0")) is upsampling
        assert type(generator.get_layer("to_rgb")) is upsampling
        resizes = [layer for layer in generator.layers if isinstance(layer, keras.layers.UpSampling2D)]
        assert len(resizes) == (3 if revision >= 3 else 0)
        assert generator.output.shape[1:] == (32, 32, 3)


def test_small_biggan_narrows_only_its_full_resolution_blocks_from_revision_2():
    for revision, channels in ((2, 32), (1, 64)):
        layout = revision_layout("biggan", "small", 32, revision)
        generator = build("biggan", "generator", image_size=32, size="small", layout=layout)
        discriminator = build("biggan", "discriminator", image_size=32, size="small", layout=layout)
        assert generator.get_layer("block_2").output.shape[-1] == channels
        assert generator.get_layer("block_1").output.shape[-1] == 64
        assert discriminator.get_layer("block_0").output.shape[-1] == channels
        assert discriminator.get_layer("block_1").output.shape[-1] == 64
