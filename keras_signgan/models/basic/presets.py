"""The basic GAN's presets: one table of widths, training defaults, run length, batch and
measured cost per size (see `keras_signgan.models.presets`). No Keras here.

Widths: the hidden width of the MLPs and the latent size. The basic GAN has no layout
options.
"""

from keras_signgan.models.presets import Preset

# Goodfellow's GAN: non-saturating BCE, one D step per G step, DCGAN's Adam settings.
DEFAULTS = dict(
    loss="bce",
    n_critic=1,
    g_lr=2e-4,
    d_lr=2e-4,
    beta_1=0.5,
    beta_2=0.999,
    diffaugment="",
    lecam_weight=0.0,
    gradient_penalty=0.0,
    drift=0.0,
    r1=0.0,
    consistency=0.0,
    mode_seeking=0.0,
)

PRESETS = {
    "tiny": Preset(
        description="tests: a step in well under a second on a CPU",
        widths=dict(hidden=32, z_dim=16),
        training=DEFAULTS,
        steps=12,
        batch_size=16,
        ema_decay=None,
        ema_start=0,
        sample_every=6,
        checkpoint_every=6,
        log_every=1,
    ),
    "small": Preset(
        description="a CPU: 63.5 steps/s at batch 64 on 2 cores (scripts/bench_train.py)",
        widths=dict(hidden=256, z_dim=100),
        training=DEFAULTS,
        steps=3000,
        batch_size=32,
        ema_decay=None,
        ema_start=500,
        sample_every=500,
        checkpoint_every=250,
        log_every=10,
    ),
    "base": Preset(
        description="a GPU: four times the small width; not measured here",
        widths=dict(hidden=1024, z_dim=100),
        training=DEFAULTS,
        steps=100_000,
        batch_size=64,
        ema_decay=None,
        ema_start=1000,
        sample_every=2000,
        checkpoint_every=2000,
        log_every=50,
    ),
}

LAYOUT_OPTIONS = {}


def default_layout(size, image_size):
    """The layout a new run records: none."""
    return {}
