"""`BasicGAN`: Goodfellow et al. 2014."""

from keras_signgan.models.gan import ConditionalGAN
from keras_signgan.models.networks import basic as networks


class BasicGAN(ConditionalGAN):
    """Goodfellow et al. 2014 (Generative Adversarial Nets), made class-conditional by label
    concatenation (Mirza and Osindero 2014): MLP generator and discriminator, non-saturating
    BCE loss.

    Args: see `ConditionalGAN`; build one from a `TrainConfig` with
    `keras_signgan.models.build_gan(config)`.
    """

    default_loss = "bce"
    default_n_critic = 1

    @staticmethod
    def build_generator(num_classes, image_size, size, z_dim=None):
        return networks.build_basic_generator(num_classes, image_size=image_size, z_dim=z_dim, size=size)

    @staticmethod
    def build_discriminator(num_classes, image_size, size):
        return networks.build_basic_discriminator(num_classes, image_size=image_size, size=size)
