"""`WCGAN`: A Wasserstein conditional GAN."""

from keras_signgan.models.gan import ConditionalGAN
from keras_signgan.models.wcgan.networks import build_wcgan_discriminator, build_wcgan_generator
from keras_signgan.models.wcgan.presets import DEFAULTS


class WCGAN(ConditionalGAN):
    """A Wasserstein conditional GAN: DCGAN-style convolutional generator and critic,
    Wasserstein loss (Arjovsky et al. 2017) with the critic made 1-Lipschitz by spectral
    normalisation (Miyato et al. 2018) instead of weight clipping, conditioning by
    concatenation, n_critic critic steps per generator step.

    Args: see `ConditionalGAN`; build one from a `TrainConfig` with
    `keras_signgan.models.build.build_gan(config)`.
    """

    default_loss = DEFAULTS["loss"]
    default_n_critic = DEFAULTS["n_critic"]
    generator_builder = staticmethod(build_wcgan_generator)
    discriminator_builder = staticmethod(build_wcgan_discriminator)
