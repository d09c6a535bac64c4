"""The Wasserstein conditional GAN's networks: DCGAN-style generator and spectrally
normalised critic, conditioned by concatenation."""

import keras

from keras_signgan.layers import BatchNormalization, UpsampleConv2D, maybe_spectral_norm
from keras_signgan.models.networks import discriminator_inputs, generator_inputs, num_doublings, preset_widths
from keras_signgan.models.presets import resolve_layout
from keras_signgan.models.wcgan import presets


def _upsample(x, filters, name, upsampling, use_bias=False):
    """Double the resolution. "resize-conv": nearest-neighbour resize, then a 3x3 convolution
    (Odena et al. 2016, "Deconvolution and Checkerboard Artifacts"); "transposed": the DCGAN
    transposed convolution 4x4/2, whose uneven overlap painted a mottled, checkered texture
    over every generated hand. The resize and convolution run as one `UpsampleConv2D`: the
    3x3 kernel folded per output phase, never forming the resized image; its variables are
    the Conv2D's, so checkpoints of either form restore into the other."""
    if upsampling == "resize-conv":
        return UpsampleConv2D(filters, use_bias=use_bias, name=name)(x)
    return keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=use_bias, name=name)(x)


def build_wcgan_generator(num_classes, image_size=32, z_dim=None, size="small", layout=None):
    """`[z, embed(label)] -> Dense(4x4x4ch) -> (2x up, BN, ReLU)* -> 2x up to RGB -> tanh`;
    "2x up" is `layout["g_upsampling"]`: resize + 3x3 conv ("resize-conv", the preset's
    default) or ConvTranspose 4x4/2 ("transposed")."""
    widths = preset_widths(presets.PRESETS, size)
    upsampling = resolve_layout(presets, size, image_size, layout)["g_upsampling"]
    z_dim = z_dim or widths["z_dim"]
    doublings = num_doublings(image_size)
    ch = widths["ch"]
    z, label = generator_inputs(z_dim)
    embedded = keras.layers.Embedding(num_classes, widths["embedding"], name="label_embedding")(label)
    x = keras.layers.Concatenate()([z, embedded])
    filters = ch * 2 ** (doublings - 1)
    x = keras.layers.Dense(4 * 4 * filters, use_bias=False, name="project")(x)
    x = keras.layers.Reshape((4, 4, filters))(x)
    x = BatchNormalization(name="project_bn")(x)
    x = keras.layers.ReLU()(x)
    for i in range(doublings - 1):
        filters = max(ch, filters // 2)
        x = _upsample(x, filters, f"up_{i}", upsampling)
        x = BatchNormalization(name=f"up_{i}_bn")(x)
        x = keras.layers.ReLU()(x)
    x = _upsample(x, 3, "to_rgb", upsampling, use_bias=True)
    image = keras.layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model([z, label], image, name="wcgan_generator")


def build_wcgan_discriminator(num_classes, image_size=32, size="small", layout=None):
    """Critic: `[image, label map] -> (SN Conv 4x4/2, LeakyReLU)* -> SN Dense(1)`; the label
    enters as an embedded `S x S` plane concatenated to the image channels. With
    `layout["critic_norm"] == "none"` no layer is spectrally normalised (a critic held
    Lipschitz by a gradient penalty instead)."""
    ch = preset_widths(presets.PRESETS, size)["ch"]
    spectral = resolve_layout(presets, size, image_size, layout)["critic_norm"] == "spectral"
    doublings = num_doublings(image_size)
    image, label = discriminator_inputs(image_size)
    plane = keras.layers.Embedding(num_classes, image_size * image_size, name="label_plane")(label)
    plane = keras.layers.Reshape((image_size, image_size, 1))(plane)
    x = keras.layers.Concatenate()([image, plane])
    filters = ch
    for i in range(doublings):
        x = maybe_spectral_norm(
            keras.layers.Conv2D(filters, 4, strides=2, padding="same", name=f"conv_{i}"), enabled=spectral
        )(x)
        x = keras.layers.LeakyReLU(0.2)(x)
        filters *= 2
    x = keras.layers.Flatten()(x)
    logits = maybe_spectral_norm(keras.layers.Dense(1, name="logits"), enabled=spectral)(x)
    logits = keras.layers.Activation("linear", dtype="float32", name="critic")(logits)
    return keras.Model([image, label], logits, name="wcgan_discriminator")
