"""The cut-down BigGAN's networks (Brock et al. 2019, its 32x32 CIFAR architecture, narrower
in the smaller presets)."""

import keras
from keras import ops

from keras_signgan.errors import ConfigError
from keras_signgan.layers import SelfAttention, maybe_spectral_norm
from keras_signgan.models.biggan.blocks import DiscriminatorBlock, GeneratorBlock, ProjectionHead
from keras_signgan.models.biggan.presets import PRESETS
from keras_signgan.models.networks import discriminator_inputs, generator_inputs, num_doublings, preset_widths


def full_resolution_filters(widths, arch_revision=2):
    """Channels of the blocks at the full image resolution (revision 1: always 4*ch)."""
    if arch_revision < 2 or widths.get("full_res") is None:
        return 4 * widths["ch"]
    return widths["full_res"]


def latent_chunks(z_dim, num_chunks):
    """Sizes of BigGAN's hierarchical latent chunks: equal, the first taking the remainder."""
    if z_dim < num_chunks:
        raise ConfigError(
            f"--z-dim {z_dim} is too small: BigGAN splits z over {num_chunks} chunks at this image size. "
            f"Use --z-dim {num_chunks} or more."
        )
    chunk = z_dim // num_chunks
    return [z_dim - chunk * (num_chunks - 1)] + [chunk] * (num_chunks - 1)


def build_biggan_generator(num_classes, image_size=32, z_dim=None, size="small", arch_revision=2):
    """Residual generator with a hierarchical latent and a shared class embedding.

    `z` is split into one chunk per block plus one for the first linear layer; every block's
    conditional batch norms see `[shared_embedding(label), its z chunk]`. Self-attention
    follows the block that reaches half the output resolution.
    """
    widths = preset_widths(PRESETS, size)
    z_dim = z_dim or widths["z_dim"]
    blocks = num_doublings(image_size)
    filters = 4 * widths["ch"]
    z, label = generator_inputs(z_dim)
    sizes = latent_chunks(z_dim, blocks + 1)
    bounds = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
    chunks = [z[:, bounds[i]:bounds[i + 1]] for i in range(len(sizes))]
    shared = keras.layers.Embedding(num_classes, widths["shared"], name="shared_embedding")(label)
    x = maybe_spectral_norm(keras.layers.Dense(4 * 4 * filters, kernel_initializer="orthogonal", name="linear"))(
        chunks[0]
    )
    x = keras.layers.Reshape((4, 4, filters))(x)
    resolution = 4
    for i in range(blocks):
        condition = keras.layers.Concatenate(name=f"condition_{i}")([shared, chunks[i + 1]])
        out_filters = full_resolution_filters(widths, arch_revision) if i == blocks - 1 else filters
        x = GeneratorBlock(out_filters, name=f"block_{i}")([x, condition])
        resolution *= 2
        if resolution == image_size // 2:
            x = SelfAttention(name="attention")(x)
    # The same batch-norm settings as the conditional ones (PyTorch's defaults, as BigGAN).
    x = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name="output_bn")(x)
    x = keras.layers.ReLU()(x)
    x = maybe_spectral_norm(keras.layers.Conv2D(3, 3, padding="same", kernel_initializer="orthogonal", name="output_conv"))(x)
    image = keras.layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model([z, label], image, name="biggan_generator")


def discriminator_downsampling(image_size, arch_revision=2):
    """Which of the discriminator's blocks halve the resolution.

    BigGAN's 32x32 (CIFAR) discriminator stops down-sampling at 8x8: blocks
    `[down, down, keep, keep]` (`d_down` of BigGAN-PyTorch and StudioGAN). Its ImageNet
    discriminators down-sample to 4x4 and add one block there; larger images follow that.
    Revision 1 (runs made before revision 2) used the ImageNet form at every size.
    """
    blocks = num_doublings(image_size)
    if arch_revision >= 2 and image_size <= 32:
        return [True] * (blocks - 1) + [False, False]
    return [True] * blocks + [False]


def build_biggan_discriminator(num_classes, image_size=32, size="small", arch_revision=2):
    """Residual projection discriminator: residual blocks (`discriminator_downsampling`),
    self-attention at half the input resolution, ReLU, global sum pooling, projection head."""
    widths = preset_widths(PRESETS, size)
    filters = 4 * widths["ch"]
    image, label = discriminator_inputs(image_size)
    x = image
    resolution = image_size
    for i, downsample in enumerate(discriminator_downsampling(image_size, arch_revision)):
        block_filters = full_resolution_filters(widths, arch_revision) if i == 0 else filters
        x = DiscriminatorBlock(block_filters, downsample=downsample, preactivation=i > 0, name=f"block_{i}")(x)
        if downsample:
            resolution //= 2
            if resolution == image_size // 2:
                x = SelfAttention(name="attention")(x)
    x = keras.layers.ReLU()(x)
    features = ops.sum(x, axis=(1, 2))
    logits = ProjectionHead(num_classes, name="projection", dtype="float32")([features, label])
    return keras.Model([image, label], logits, name="biggan_discriminator")
