"""The basic GAN (Goodfellow et al. 2014, made class-conditional): `presets.py` holds its
presets (widths, training defaults, run lengths, layout options), `basic_gan.py` the
`BasicGAN` class, `networks.py` its MLP generator and discriminator.

This package imports no Keras: `TrainConfig` and the CLI read the presets without loading
TensorFlow; `gan_class()` imports the class when a GAN is built.
"""

from keras_signgan.models.basic.presets import DEFAULTS, LAYOUT_OPTIONS, PRESETS, default_layout  # noqa: F401


def gan_class():
    """The `BasicGAN` class."""
    from keras_signgan.models.basic.basic_gan import BasicGAN  # heavy (TensorFlow): only when a GAN is built

    return BasicGAN
