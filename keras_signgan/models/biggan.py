"""`BigGAN`: A cut-down BigGAN."""

from keras_signgan.models.gan import ConditionalGAN
from keras_signgan.models.networks import biggan as networks


class BigGAN(ConditionalGAN):
    """A cut-down BigGAN (Brock et al. 2019) for 32x32: residual generator with conditional
    batch normalisation fed by a shared class embedding and a hierarchical latent, SAGAN
    self-attention, orthogonal init, spectral norm; residual projection discriminator; hinge
    loss; TTUR learning rates; an exponential moving average of the generator's weights for
    sampling, evaluation and export; the truncation trick at sampling.

    Args: see `ConditionalGAN`; build one from a `TrainConfig` with
    `keras_signgan.models.build_gan(config)`.
    """

    default_loss = "hinge"
    default_n_critic = 1

    @staticmethod
    def build_generator(num_classes, image_size, size, z_dim=None):
        return networks.build_biggan_generator(num_classes, image_size=image_size, z_dim=z_dim, size=size)

    @staticmethod
    def build_discriminator(num_classes, image_size, size):
        return networks.build_biggan_discriminator(num_classes, image_size=image_size, size=size)
