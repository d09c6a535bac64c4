"""Keras layers shared by the GAN families: conditional batch norm, self-attention,
DiffAugment, spectral normalisation, nearest up-sampling, the up-sampling 3x3
convolution and the minibatch standard deviation. Blocks used by one family only live in
its folder (BigGAN's residual blocks and projection head: `keras_signgan.models.biggan.blocks`)."""

from keras_signgan.layers.batch_norm import BatchNormalization
from keras_signgan.layers.conditional_batch_norm import ConditionalBatchNormalization
from keras_signgan.layers.diff_augment import DiffAugment
from keras_signgan.layers.minibatch_stddev import MinibatchStandardDeviation
from keras_signgan.layers.self_attention import SelfAttention
from keras_signgan.layers.spectral_norm import SpectralNormalization, maybe_spectral_norm
from keras_signgan.layers.upsample_conv import UpsampleConv2D
from keras_signgan.layers.upsampling import NearestUpSampling2D

__all__ = [
    "BatchNormalization",
    "ConditionalBatchNormalization",
    "DiffAugment",
    "MinibatchStandardDeviation",
    "SelfAttention",
    "NearestUpSampling2D",
    "SpectralNormalization",
    "UpsampleConv2D",
    "maybe_spectral_norm",
]
