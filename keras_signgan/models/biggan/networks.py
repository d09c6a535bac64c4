"""The cut-down BigGAN's networks (Brock et al. 2019, its 32x32 CIFAR architecture, narrower
in the smaller presets)."""

import keras
from keras import ops

from keras_signgan.errors import ConfigError
from keras_signgan.layers import BatchNormalization, MinibatchStandardDeviation, SelfAttention, maybe_spectral_norm
from keras_signgan.models.biggan import presets
from keras_signgan.models.biggan.blocks import DiscriminatorBlock, GeneratorBlock, ProjectionHead
from keras_signgan.models.networks import discriminator_inputs, generator_inputs, num_doublings, preset_widths
from keras_signgan.models.presets import resolve_layout


def latent_chunks(z_dim, num_chunks):
    """Sizes of BigGAN's hierarchical latent chunks: equal, the first taking the remainder."""
    if z_dim < num_chunks:
        raise ConfigError(
            f"--z-dim {z_dim} is too small: BigGAN splits z over {num_chunks} chunks at this image size. "
            f"Use --z-dim {num_chunks} or more."
        )
    chunk = z_dim // num_chunks
    return [z_dim - chunk * (num_chunks - 1)] + [chunk] * (num_chunks - 1)


def build_biggan_generator(num_classes, image_size=32, z_dim=None, size="small", layout=None):
    """Residual generator with a hierarchical latent and a shared class embedding.

    `z` is split into one chunk per block plus one for the first linear layer; every block's
    conditional batch norms see `[shared_embedding(label), its z chunk]`. Self-attention
    follows the block that reaches half the output resolution. The last block has
    `layout["full_res_channels"]` channels (layout options: `presets.LAYOUT_OPTIONS`;
    unset ones default from the preset).
    """
    widths = preset_widths(presets.PRESETS, size)
    layout = resolve_layout(presets, size, image_size, layout)
    z_dim = z_dim or widths["z_dim"]
    blocks = num_doublings(image_size)
    filters = 4 * widths["ch"]
    z, label = generator_inputs(z_dim)
    sizes = latent_chunks(z_dim, blocks + 1)
    bounds = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
    chunks = [z[:, bounds[i] : bounds[i + 1]] for i in range(len(sizes))]
    shared = keras.layers.Embedding(num_classes, widths["shared"], name="shared_embedding")(label)
    x = maybe_spectral_norm(keras.layers.Dense(4 * 4 * filters, kernel_initializer="orthogonal", name="linear"))(
        chunks[0]
    )
    x = keras.layers.Reshape((4, 4, filters))(x)
    resolution = 4
    for i in range(blocks):
        condition = keras.layers.Concatenate(name=f"condition_{i}")([shared, chunks[i + 1]])
        out_filters = layout["full_res_channels"] if i == blocks - 1 else filters
        x = GeneratorBlock(out_filters, name=f"block_{i}")([x, condition])
        resolution *= 2
        if resolution == image_size // 2:
            x = SelfAttention(name="attention")(x)
    # The same batch-norm settings as the conditional ones (PyTorch's defaults, as BigGAN).
    x = BatchNormalization(momentum=0.9, epsilon=1e-5, name="output_bn")(x)
    x = keras.layers.ReLU()(x)
    x = maybe_spectral_norm(
        keras.layers.Conv2D(3, 3, padding="same", kernel_initializer="orthogonal", name="output_conv")
    )(x)
    image = keras.layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model([z, label], image, name="biggan_generator")


def discriminator_downsampling(image_size, d_downsampling):
    """Which of the discriminator's blocks halve the resolution.

    "cifar": BigGAN's 32x32 (CIFAR) discriminator stops down-sampling at 8x8: blocks
    `[down, down, keep, keep]` at 32x32 (`d_down` of BigGAN-PyTorch and StudioGAN).
    "imagenet": its ImageNet discriminators down-sample to 4x4 and add one block there.
    """
    blocks = num_doublings(image_size)
    if d_downsampling == "cifar":
        return [True] * (blocks - 1) + [False, False]
    return [True] * blocks + [False]


def build_biggan_discriminator(num_classes, image_size=32, size="small", layout=None):
    """Residual projection discriminator: residual blocks (`discriminator_downsampling` of
    `layout["d_downsampling"]`, the first with `layout["full_res_channels"]` channels, the
    others with `layout["d_channels"]`), self-attention at half the input resolution, ReLU,
    global sum pooling, projection head. With `layout["d_minibatch_std"]` "on", the last
    block also sees the minibatch standard deviation (groups of 4 images: the batch must be
    a multiple of 4). Unset layout options default from the preset."""
    layout = resolve_layout(presets, size, image_size, layout)
    filters = layout["d_channels"]
    image, label = discriminator_inputs(image_size)
    x = image
    resolution = image_size
    downsampling = discriminator_downsampling(image_size, layout["d_downsampling"])
    for i, downsample in enumerate(downsampling):
        if i == len(downsampling) - 1 and layout["d_minibatch_std"] == "on":
            x = MinibatchStandardDeviation(presets.MINIBATCH_STD_GROUP, name="minibatch_std")(x)
        block_filters = layout["full_res_channels"] if i == 0 else filters
        x = DiscriminatorBlock(block_filters, downsample=downsample, preactivation=i > 0, name=f"block_{i}")(x)
        if downsample:
            resolution //= 2
            if resolution == image_size // 2:
                x = SelfAttention(name="attention")(x)
    x = keras.layers.ReLU()(x)
    features = ops.sum(x, axis=(1, 2))
    logits = ProjectionHead(num_classes, name="projection", dtype="float32")([features, label])
    return keras.Model([image, label], logits, name="biggan_discriminator")
