"""The cut-down BigGAN's presets: one table of widths, training defaults, run length, batch,
EMA and measured cost per size (see `keras_signgan.models.presets`). No Keras here.

Widths: base channel count `ch` (every block has 4*ch channels, as BigGAN's CIFAR model),
`d_ch`, the discriminator's own (its blocks have 4*d_ch channels; None: ch), shared
class-embedding size, latent size (split across the blocks), and `full_res`, the channels of
the blocks at the full image resolution (G's last, D's first): None keeps 4*ch; fewer make
those blocks, most of a step's cost, cheaper (BigGAN's ImageNet models narrow with
resolution the same way). The layout options a run records in its config.json
(`LAYOUT_OPTIONS`) default from the preset and the image size (`default_layout`).
"""

import dataclasses

from keras_signgan.models.presets import Preset

# Adam betas (0, 0.999) as BigGAN; equal learning rates 2e-4 as DiffAugment-BigGAN on CIFAR
# (on LSA16 they beat BigGAN's 1e-4/4e-4 TTUR at equal compute: FID 154 vs 261 early in a
# run). LeCam regularisation is an option (`lecam_weight`), off.
DEFAULTS = dict(
    loss="hinge",
    n_critic=1,
    g_lr=2e-4,
    d_lr=2e-4,
    beta_1=0.0,
    beta_2=0.999,
    diffaugment="color,translation,cutout",
    lecam_weight=0.0,
    gradient_penalty=0.0,
    drift=0.0,
    r1=0.0,
    consistency=0.0,
    mode_seeking=0.0,
)

# The EMA must span a small part of the run: over a short run a long average mixes
# generators too different to average (and its batch-norm statistics, copied from the live
# generator, stop matching). At 7,000 steps on LSA16, decay 0.999 (half-life 693 steps)
# scored FID 40.7 at the end where 0.995 (half-life 138) scored 45.0 (1,600 vs 800). Run to
# 10,000 steps, the same settings and seed scored 38.5 at 8,000 and 38.4 at 10,000: flat from
# 8,000 on, which fits in about 30 minutes alone. A slower 0.9995 averages the same
# generators (the EMA does not feed back into training) and is still behind at 8,000 (42.4
# against 41.0, seed 0, 800 vs 800).
# Both learning rates fall linearly to 0 over the run's second half (`lr_decay`): from the
# same step-4,000 checkpoints, seed 0 scored 38.7 at 8,000 where constant rates scored 41.0,
# seed 1 45.1 where they scored 50.2 (800 vs 800); at 1,600 vs 800, 35.9 and 42.9 (constant,
# seed 0: 38.5). Decaying over the last quarter only gained less (40.1, seed 0).
# 10,000 steps (decay from 5,000) beat 8,000 over three seeds at 1,600 vs 800: FID 37.9, 38.4,
# 34.7 against 35.9, 42.9, 42.3 (means 37.0 and 40.4), KID lower on two, and every seed's rows
# more varied (diversity 0.80, 0.75, 0.83 against 0.74, 0.68, 0.73), for a quarter more time.
# A discriminator with 128-channel blocks (`d_ch` 32; its full-resolution block stays at 32)
# scored FID 32.0, 31.5 and 32.5 for seeds 0, 1, 2 at 10,000 steps (1,600 vs 800; mean 32.0),
# where the 64-channel one scored the 37.9, 38.4 and 34.7 above (mean 37.0), for 1.7-1.8 times the
# cost of a step (5.51-5.79 against 9.71 steps/s alone). A generator with 128-channel blocks
# scored 41.0 (seed 0).
# DiffAugment shifts, and cuts out, each image with chance 0.5 (`diffaugment_probability`;
# colour on all): shifts of up to 4 pixels and quarter-image cut-outs on every image hide the
# real hands' spread of place (0.3-1.3 pixels per class) and size from D. Seeds 0 and 1 scored
# FID 26.1 and 30.4 (KID 0.0061, 0.0086) where every image augmented scored 32.0 and 31.5 (KID
# 0.0103, 0.0097), diversity 0.83 and 0.82 against 0.83 and 0.83, Five's spread of hand sizes
# 0.65 and 0.70 of the real one against 0.52 and 0.39 (scripts/hand_geometry.py).
SMALL = Preset(
    description=(
        "a CPU: 10,000 steps, rates decayed over the second half, a discriminator twice as wide as the"
        " generator, DiffAugment's shifts and cut-outs on half the images (LSA16 FID 26.1 and 30.4 for seeds"
        " 0, 1 at 1,600 vs 800); about 30 min alone on 2 cores at 5.5-5.8 steps/s"
    ),
    widths=dict(ch=16, d_ch=32, shared=64, z_dim=96, full_res=32),
    training=dict(DEFAULTS, lr_decay=0.5, diffaugment_probability=0.5),
    steps=10000,
    batch_size=32,
    ema_decay=0.999,
    ema_start=500,
    sample_every=500,
    checkpoint_every=250,
    log_every=10,
)

PRESETS = {
    "tiny": Preset(
        description="tests: a step in well under a second on a CPU",
        widths=dict(ch=8, d_ch=None, shared=16, z_dim=32, full_res=None),
        training=DEFAULTS,
        steps=12,
        batch_size=16,
        ema_decay=0.999,
        ema_start=0,
        sample_every=6,
        checkpoint_every=6,
        log_every=1,
    ),
    "small": SMALL,
    # The small networks trained longer, for LSA64 and users who can wait. A 28,000-step run
    # on LSA64 at constant rates (FID every 2,000 steps, 800 generated vs 3,200 real) fell to
    # 39-41 from step 16,000 to 24,000, best at 18,000, then rose to 48-49: at 6,400 vs 3,200
    # its step 18,000 scored 29.8 and its step 28,000 39.4. So the preset stops at 18,000.
    # With the small preset's decay over the second half, the same seed's step 18,000 scored
    # 29.7 with a wider spread within each class (diversity 0.73 against 0.57; KID 0.0150
    # against 0.0128), so `long` decays its rates too. With small's discriminator, twice as
    # wide as the generator, the same seed's step 18,000 scored 25.4 (KID 0.0142, diversity
    # 0.82), the run taking 57 min alone here with its six evaluations; seed 1 scored 23.2
    # (KID 0.0122, diversity 0.79).
    "long": dataclasses.replace(
        SMALL,
        description=(
            "a CPU, for LSA64 and users who can wait: small's networks for 18,000 steps, rates decayed over"
            " the second half (LSA64 FID 25.4 and 23.2 at 6,400 vs 3,200, seeds 0 and 1); about 55 min alone on"
            " 2 cores at 5.6 steps/s"
        ),
        # DiffAugment on every image, as its LSA64 figures were measured; on half the images seed 0
        # scored 23.2 at 6,400 vs 3,200 (against 25.4): one seed, not yet the default.
        training=dict(SMALL.training, diffaugment_probability=1.0),
        steps=18000,
        sample_every=1000,
        checkpoint_every=500,
    ),
    "base": Preset(
        description="a GPU: BigGAN's CIFAR widths; not measured here, expect hours on one GPU",
        widths=dict(ch=64, d_ch=None, shared=128, z_dim=128, full_res=None),
        training=DEFAULTS,
        steps=100_000,
        batch_size=64,
        ema_decay=0.9999,
        ema_start=1000,
        sample_every=2000,
        checkpoint_every=2000,
        log_every=50,
    ),
}

# d_downsampling: which discriminator blocks halve the resolution. "cifar": BigGAN's 32x32
# discriminator, which stops down-sampling at 8x8 and adds two blocks there (`d_down` of
# BigGAN-PyTorch and StudioGAN); "imagenet": down-sampling to 4x4 and one block there.
# full_res_channels: the channels of the full-resolution blocks (G's last, D's first).
# d_channels: the channels of the discriminator's other blocks.
# d_minibatch_std: "on" appends the minibatch standard deviation (Progressive GAN) to the
# input of the discriminator's last block, over groups of MINIBATCH_STD_GROUP images
# (Progressive GAN's and StyleGAN2's 4): each replica's batch must be a multiple of it.
MINIBATCH_STD_GROUP = 4
LAYOUT_OPTIONS = {
    "d_downsampling": ("cifar", "imagenet"),
    "full_res_channels": int,
    "d_channels": int,
    "d_minibatch_std": ("off", "on"),
}


def full_res_channels(widths):
    """The channels of the preset's full-resolution blocks: `full_res`, or 4*ch."""
    return widths["full_res"] if widths.get("full_res") is not None else 4 * widths["ch"]


def d_channels(widths):
    """The channels of the preset's discriminator blocks below full resolution: 4*d_ch, or 4*ch."""
    return 4 * (widths["d_ch"] if widths.get("d_ch") is not None else widths["ch"])


def default_layout(size, image_size):
    """The layout a new run of preset `size` at `image_size` pixels records: BigGAN's CIFAR
    discriminator up to 32x32, its ImageNet one above."""
    return {
        "d_downsampling": "cifar" if image_size <= 32 else "imagenet",
        "full_res_channels": full_res_channels(PRESETS[size].widths),
        "d_channels": d_channels(PRESETS[size].widths),
        "d_minibatch_std": "off",  # no preset: on LSA16 it gained nothing (docs/results.md)
    }
