"""The Wasserstein conditional GAN's networks: DCGAN-style generator and spectrally
normalised critic, conditioned by concatenation."""

import keras

from keras_signgan.layers import BatchNormalization, NearestUpSampling2D, maybe_spectral_norm
from keras_signgan.models.networks import check_size, discriminator_inputs, generator_inputs, num_doublings

# Per size preset: base channel count `ch` (the widest layer has 4*ch), label embedding size,
# latent size.
WIDTHS = {
    "tiny": dict(ch=8, embedding=8, z_dim=16),
    "small": dict(ch=64, embedding=50, z_dim=100),
    "base": dict(ch=128, embedding=50, z_dim=100),
}


def _upsample(x, filters, name, arch_revision, use_bias=False):
    """Double the resolution. Revision 3: nearest-neighbour resize, then a 3x3 convolution
    (Odena et al. 2016, "Deconvolution and Checkerboard Artifacts"); earlier revisions: the
    DCGAN transposed convolution 4x4/2, whose uneven overlap painted a mottled, checkered
    texture over every generated hand."""
    if arch_revision >= 3:
        x = NearestUpSampling2D(2, name=f"{name}_resize")(x)
        return keras.layers.Conv2D(filters, 3, padding="same", use_bias=use_bias, name=name)(x)
    return keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=use_bias, name=name)(x)


def build_wcgan_generator(num_classes, image_size=32, z_dim=None, size="small", arch_revision=3):
    """`[z, embed(label)] -> Dense(4x4x4ch) -> (2x up, BN, ReLU)* -> 2x up to RGB -> tanh`;
    "2x up" is resize + 3x3 conv (revision 3) or ConvTranspose 4x4/2 (revisions 1-2)."""
    widths = check_size(size, WIDTHS)
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
        x = _upsample(x, filters, f"up_{i}", arch_revision)
        x = BatchNormalization(name=f"up_{i}_bn")(x)
        x = keras.layers.ReLU()(x)
    x = _upsample(x, 3, "to_rgb", arch_revision, use_bias=True)
    image = keras.layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model([z, label], image, name="wcgan_generator")


def build_wcgan_discriminator(num_classes, image_size=32, size="small", arch_revision=3):
    """Critic: `[image, label map] -> (SN Conv 4x4/2, LeakyReLU)* -> SN Dense(1)`; the label
    enters as an embedded `S x S` plane concatenated to the image channels. `arch_revision`
    is accepted as every revision-aware builder's is; the critic's layout has not changed."""
    ch = check_size(size, WIDTHS)["ch"]
    doublings = num_doublings(image_size)
    image, label = discriminator_inputs(image_size)
    plane = keras.layers.Embedding(num_classes, image_size * image_size, name="label_plane")(label)
    plane = keras.layers.Reshape((image_size, image_size, 1))(plane)
    x = keras.layers.Concatenate()([image, plane])
    filters = ch
    for i in range(doublings):
        x = maybe_spectral_norm(keras.layers.Conv2D(filters, 4, strides=2, padding="same", name=f"conv_{i}"))(x)
        x = keras.layers.LeakyReLU(0.2)(x)
        filters *= 2
    x = keras.layers.Flatten()(x)
    logits = maybe_spectral_norm(keras.layers.Dense(1, name="logits"))(x)
    logits = keras.layers.Activation("linear", dtype="float32", name="critic")(logits)
    return keras.Model([image, label], logits, name="wcgan_discriminator")
