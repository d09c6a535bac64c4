"""Keras layers shared by the GAN families: conditional batch norm, self-attention,
DiffAugment and a spectral-norm helper. Blocks used by one family only live in its folder
(BigGAN's residual blocks and projection head: `keras_signgan.models.biggan.blocks`)."""

from keras_signgan.layers.conditional_batch_norm import ConditionalBatchNormalization
from keras_signgan.layers.diff_augment import DiffAugment
from keras_signgan.layers.self_attention import SelfAttention
from keras_signgan.layers.spectral_norm import maybe_spectral_norm

__all__ = [
    "ConditionalBatchNormalization",
    "DiffAugment",
    "SelfAttention",
    "maybe_spectral_norm",
]
