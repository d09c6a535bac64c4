"""A cut-down BigGAN: `biggan.py` holds the `BigGAN` class, `networks.py` its residual
generator and projection discriminator (widths in `WIDTHS`), `blocks.py` the residual blocks
and projection head only it uses. The layers it shares with others (conditional batch norm,
self-attention, spectral norm, DiffAugment) are in `keras_signgan.layers`.

This file states the family's training defaults, without importing Keras, so `TrainConfig`
and the CLI read them without loading TensorFlow.
"""

# SAGAN/BigGAN's TTUR: D learns 4x faster, Adam betas (0, 0.999). A non-None `ema_decay`
# keeps a generator average; its value comes from the size preset (`EMA_DECAY_BY_SIZE`).
DEFAULTS = dict(
    loss="hinge", n_critic=1, g_lr=1e-4, d_lr=4e-4, beta_1=0.0, beta_2=0.999,
    diffaugment="color,translation,cutout", ema_decay=0.999,
)

