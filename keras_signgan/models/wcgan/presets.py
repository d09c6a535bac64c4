"""The Wasserstein conditional GAN's presets: one table of widths, training defaults, run
length, batch and measured cost per size (see `keras_signgan.models.presets`). No Keras here.

Widths: base channel count `ch` (the widest layer has 4*ch), label embedding size, latent
size. The layout option a run records in its config.json (`LAYOUT_OPTIONS`) defaults from
`default_layout`.
"""

from keras_signgan.models.presets import Preset

# WGAN-GP (Gulrajani et al. 2017) with the reference's Wasserstein loss: a critic without
# spectral norm, held near 1-Lipschitz by a gradient penalty of weight 10 on interpolates of
# the augmented real and generated images, two critic steps per generator step, Adam
# 1e-4 with betas (0, 0.9). With spectral norm instead (the reference's, and these presets'
# until this change) the critic separated real from generated images far less well (AUC
# 0.54-0.86 vs 0.95 on clean images) and the generator collapsed (FID 311-330 at 1,500
# steps on LSA16); two critic steps beat five per CPU-second. The small preset keeps a
# generator average (EMA 0.999 from step 500): it lags the live generator until about step
# 5,000 and leads at the end (step 6,000, 800 generated: LSA16 61.7 vs 63.6, LSA64 78.0 vs
# 89.7), where the live generator's FID swings by up to 15 between evaluations.
DEFAULTS = dict(
    loss="wasserstein",
    n_critic=2,
    g_lr=1e-4,
    d_lr=1e-4,
    beta_1=0.0,
    beta_2=0.9,
    diffaugment="color,translation,cutout",
    lecam_weight=0.0,
    gradient_penalty=10.0,
    drift=0.0,
    r1=0.0,
    consistency=0.0,
    mode_seeking=0.0,
)

PRESETS = {
    "tiny": Preset(
        description="tests: a step in well under a second on a CPU",
        widths=dict(ch=8, embedding=8, z_dim=16),
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
        description=(
            "a CPU: 6,000 steps, 30-35 min alone on 2 cores at 2.9-3.5 steps/s (FID 58.7 on LSA16"
            " at 1,600 vs 800; 68.1 on LSA64 at 6,400 vs 3,200)"
        ),
        widths=dict(ch=64, embedding=50, z_dim=100),
        training=DEFAULTS,
        steps=6000,
        batch_size=32,
        ema_decay=0.999,
        ema_start=500,
        sample_every=500,
        checkpoint_every=250,
        log_every=10,
    ),
    "base": Preset(
        description="a GPU: twice the small widths; not measured here",
        widths=dict(ch=128, embedding=50, z_dim=100),
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

# g_upsampling: how the generator doubles its resolution. "resize-conv": nearest-neighbour
# resize, then a 3x3 convolution (Odena et al. 2016, "Deconvolution and Checkerboard
# Artifacts"); "transposed": DCGAN's transposed convolution 4x4/2, whose uneven overlap
# painted a mottled, checkered texture over every generated hand.
# critic_norm: how the critic is kept Lipschitz. "spectral": every layer spectrally
# normalised (the reference's definition); "none": no normalisation, for a critic held by a
# gradient penalty (WGAN-GP) instead.
LAYOUT_OPTIONS = {"g_upsampling": ("resize-conv", "transposed"), "critic_norm": ("spectral", "none")}


def default_layout(size, image_size):
    """The layout a new run records."""
    return {"g_upsampling": "resize-conv", "critic_norm": "none"}
