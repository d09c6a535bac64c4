"""The Wasserstein conditional GAN: `presets.py` holds its presets (widths, training
defaults, run lengths, layout options), `wcgan.py` the `WCGAN` class, `networks.py` its
DCGAN-style generator and spectrally normalised critic.

This package imports no Keras: `TrainConfig` and the CLI read the presets without loading
TensorFlow; `gan_class()` imports the class when a GAN is built.
"""

from keras_signgan.models.wcgan.presets import DEFAULTS, LAYOUT_OPTIONS, PRESETS, default_layout  # noqa: F401


def gan_class():
    """The `WCGAN` class."""
    from keras_signgan.models.wcgan.wcgan import WCGAN  # heavy (TensorFlow): only when a GAN is built

    return WCGAN
