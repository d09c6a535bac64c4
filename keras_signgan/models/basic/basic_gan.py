"""`BasicGAN`: Goodfellow et al. 2014."""

from keras_signgan.models.gan import ConditionalGAN


class BasicGAN(ConditionalGAN):
    """Goodfellow et al. 2014 (Generative Adversarial Nets), made class-conditional by label
    concatenation (Mirza and Osindero 2014): MLP generator and discriminator, non-saturating
    BCE loss.

    Args: see `ConditionalGAN`; build one from a `TrainConfig` with
    `keras_signgan.models.build_gan(config)`.
    """

    default_loss = "bce"
    default_n_critic = 1
    network_family = "basic"

