"""A cut-down BigGAN: `presets.py` holds its presets (widths, training defaults, run
lengths, EMA, layout options), `biggan.py` the `BigGAN` class, `networks.py` its residual
generator and projection discriminator, `blocks.py` the residual blocks and projection head
only it uses. The layers it shares with others (conditional batch norm, self-attention,
spectral norm, DiffAugment) are in `keras_signgan.layers`.

This package imports no Keras: `TrainConfig` and the CLI read the presets without loading
TensorFlow; `gan_class()` imports the class when a GAN is built.
"""

from keras_signgan.models.biggan.presets import DEFAULTS, LAYOUT_OPTIONS, PRESETS, default_layout  # noqa: F401


def gan_class():
    """The `BigGAN` class."""
    from keras_signgan.models.biggan.biggan import BigGAN  # heavy (TensorFlow): only when a GAN is built

    return BigGAN
