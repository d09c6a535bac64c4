"""The Wasserstein conditional GAN: `wcgan.py` holds the `WCGAN` class, `networks.py` its
DCGAN-style generator and spectrally normalised critic (widths in `WIDTHS`).

This file states the family's training defaults, without importing Keras, so `TrainConfig`
and the CLI read them without loading TensorFlow.
"""

# The Wasserstein critic takes two steps per generator step.
DEFAULTS = dict(
    loss="wasserstein", n_critic=2, g_lr=2e-4, d_lr=2e-4, beta_1=0.5, beta_2=0.999,
    diffaugment="color,translation,cutout", ema_decay=None, lecam_weight=0.0,
)

