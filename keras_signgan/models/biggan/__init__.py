"""A cut-down BigGAN: `biggan.py` holds the `BigGAN` class, `networks.py` its residual
generator and projection discriminator (widths in `WIDTHS`), `blocks.py` the residual blocks
and projection head only it uses. The layers it shares with others (conditional batch norm,
self-attention, spectral norm, DiffAugment) are in `keras_signgan.layers`.

This file states the family's training defaults, without importing Keras, so `TrainConfig`
and the CLI read them without loading TensorFlow.
"""

# Adam betas (0, 0.999) as BigGAN; equal learning rates 2e-4 as DiffAugment-BigGAN on CIFAR
# (on LSA16 they beat BigGAN's 1e-4/4e-4 TTUR at equal compute: FID 154 vs 261 early in a
# run). A non-None `ema_decay` keeps a generator average; its value comes from the size
# preset (`EMA_DECAY_BY_SIZE`). LeCam regularisation is an option (`lecam_weight`), off.
DEFAULTS = dict(
    loss="hinge", n_critic=1, g_lr=2e-4, d_lr=2e-4, beta_1=0.0, beta_2=0.999,
    diffaugment="color,translation,cutout", ema_decay=0.999, lecam_weight=0.0,
)

