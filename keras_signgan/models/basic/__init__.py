"""The basic GAN (Goodfellow et al. 2014, made class-conditional): `basic_gan.py` holds the
`BasicGAN` class, `networks.py` its MLP generator and discriminator (widths in `WIDTHS`).

This file states the family's training defaults, without importing Keras, so `TrainConfig`
and the CLI read them without loading TensorFlow.
"""

# Goodfellow's GAN: non-saturating BCE, one D step per G step, DCGAN's Adam settings.
DEFAULTS = dict(
    loss="bce", n_critic=1, g_lr=2e-4, d_lr=2e-4, beta_1=0.5, beta_2=0.999,
    diffaugment="", ema_decay=None, lecam_weight=0.0,
)

