"""`BigGAN`: A cut-down BigGAN."""

from keras_signgan.models.biggan.networks import build_biggan_discriminator, build_biggan_generator
from keras_signgan.models.biggan.presets import DEFAULTS
from keras_signgan.models.gan import ConditionalGAN


class BigGAN(ConditionalGAN):
    """A cut-down BigGAN (Brock et al. 2019) for 32x32: residual generator with conditional
    batch normalisation fed by a shared class embedding and a hierarchical latent, SAGAN
    self-attention, orthogonal init, spectral norm; residual projection discriminator; hinge
    loss; an exponential moving average of the generator's weights for
    sampling, evaluation and export; the truncation trick at sampling.

    Args: see `ConditionalGAN`; build one from a `TrainConfig` with
    `keras_signgan.models.build.build_gan(config)`.
    """

    default_loss = DEFAULTS["loss"]
    default_n_critic = DEFAULTS["n_critic"]
    generator_builder = staticmethod(build_biggan_generator)
    discriminator_builder = staticmethod(build_biggan_discriminator)
