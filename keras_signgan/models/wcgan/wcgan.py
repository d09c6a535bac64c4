"""`WCGAN`: A Wasserstein conditional GAN."""

from keras_signgan.models.gan import ConditionalGAN


class WCGAN(ConditionalGAN):
    """A Wasserstein conditional GAN: DCGAN-style convolutional generator and critic,
    Wasserstein loss (Arjovsky et al. 2017) with the critic made 1-Lipschitz by spectral
    normalisation (Miyato et al. 2018) instead of weight clipping, conditioning by
    concatenation, n_critic critic steps per generator step.

    Args: see `ConditionalGAN`; build one from a `TrainConfig` with
    `keras_signgan.models.build_gan(config)`.
    """

    default_loss = "wasserstein"
    default_n_critic = 2
    network_family = "wcgan"

