"""Keras layers shared by the GAN families: conditional batch norm, self-attention,
DiffAugment, spectral normalisation and nearest up-sampling. Blocks used by one family only live in its folder
(BigGAN's residual blocks and projection head: `keras_signgan.models.biggan.blocks`)."""

from keras_signgan.layers.batch_norm import BatchNormalization
from keras_signgan.layers.conditional_batch_norm import ConditionalBatchNormalization
from keras_signgan.layers.diff_augment import DiffAugment
from keras_signgan.layers.self_attention import SelfAttention
from keras_signgan.layers.spectral_norm import SpectralNormalization, maybe_spectral_norm
from keras_signgan.layers.upsampling import NearestUpSampling2D

__all__ = [
    "BatchNormalization",
    "ConditionalBatchNormalization",
    "DiffAugment",
    "SelfAttention",
    "NearestUpSampling2D",
    "SpectralNormalization",
    "maybe_spectral_norm",
]
