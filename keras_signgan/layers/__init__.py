"""Keras layers of the GANs: conditional batch norm, self-attention, residual blocks,
projection head, DiffAugment and a spectral-norm helper."""

from keras_signgan.layers.conditional_batch_norm import ConditionalBatchNormalization
from keras_signgan.layers.diff_augment import DiffAugment
from keras_signgan.layers.residual_blocks import DiscriminatorBlock, GeneratorBlock, ProjectionHead
from keras_signgan.layers.self_attention import SelfAttention
from keras_signgan.layers.spectral_norm import maybe_spectral_norm

__all__ = [
    "ConditionalBatchNormalization",
    "DiffAugment",
    "DiscriminatorBlock",
    "GeneratorBlock",
    "ProjectionHead",
    "SelfAttention",
    "maybe_spectral_norm",
]
