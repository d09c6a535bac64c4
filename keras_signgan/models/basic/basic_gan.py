"""`BasicGAN`: Goodfellow et al. 2014."""

from keras_signgan.models.basic.networks import build_basic_discriminator, build_basic_generator
from keras_signgan.models.basic.presets import DEFAULTS
from keras_signgan.models.gan import ConditionalGAN


class BasicGAN(ConditionalGAN):
    """Goodfellow et al. 2014 (Generative Adversarial Nets), made class-conditional by label
    concatenation (Mirza and Osindero 2014): MLP generator and discriminator, non-saturating
    BCE loss.

    Args: see `ConditionalGAN`; build one from a `TrainConfig` with
    `keras_signgan.models.build.build_gan(config)`.
    """

    default_loss = DEFAULTS["loss"]
    default_n_critic = DEFAULTS["n_critic"]
    generator_builder = staticmethod(build_basic_generator)
    discriminator_builder = staticmethod(build_basic_discriminator)
