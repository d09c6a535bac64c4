"""`BigGAN`: A cut-down BigGAN."""

from keras_signgan.models.gan import ConditionalGAN
from keras_signgan.models.networks.biggan import build_biggan_discriminator, build_biggan_generator


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
    network_family = "biggan"

    @classmethod
    def build_discriminator(cls, num_classes, image_size, size, arch_revision=2):
        """BigGAN's discriminator; `arch_revision` 1 rebuilds runs made before the 32x32
        discriminator followed BigGAN's CIFAR layout (see `discriminator_downsampling`)."""
        return build_biggan_discriminator(num_classes, image_size=image_size, size=size, arch_revision=arch_revision)

    @classmethod
    def build_generator(cls, num_classes, image_size, size, z_dim=None, arch_revision=2):
        """BigGAN's generator; `arch_revision` as for `build_discriminator`."""
        return build_biggan_generator(
            num_classes, image_size=image_size, z_dim=z_dim, size=size, arch_revision=arch_revision
        )
