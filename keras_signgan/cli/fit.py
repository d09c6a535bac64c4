"""`signgan fit`: train a GAN."""

import click

from keras_signgan.cli.main import CheckedChoice, UserError, cli
from keras_signgan.config import DEFAULT_EVAL_SAMPLES, STRATEGIES, TrainConfig
from keras_signgan.models import MODEL_DEFAULTS, MODEL_NAMES, check_model, presets_help
from keras_signgan.models.presets import LOSSES, SIZES, check_size

DEFAULT_LOSSES = ", ".join(f"{name} {defaults['loss']}" for name, defaults in MODEL_DEFAULTS.items())

POSITIVE = click.IntRange(min=1)


@cli.command(epilog="Size presets (--size; every option above overrides its preset's value):\n\n" + presets_help())
@click.argument("model", required=False, type=CheckedChoice(check_model, MODEL_NAMES))
@click.argument("dataset", required=False)
@click.option("--steps", type=POSITIVE, help="Total generator steps. Default: by --size (see the presets below).")
@click.option("--batch-size", type=POSITIVE, help="Global batch size. Default: by --size (see the presets below).")
@click.option(
    "--size",
    type=CheckedChoice(check_size, SIZES),
    default="small",
    show_default=True,
    help="Preset: network widths, run length and defaults (below; long: biggan only).",
)
@click.option("--image-size", type=POSITIVE, default=32, show_default=True, help="Image side in pixels.")
@click.option(
    "--run-dir",
    type=click.Path(file_okay=False),
    help="Where to write the run. Default: runs/<model>-<dataset>-<time>.",
)
@click.option(
    "--resume", type=click.Path(file_okay=False), help="Continue the run in this directory from its newest checkpoint."
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--loss",
    type=click.Choice(LOSSES),
    help=f"Override the model's loss ({DEFAULT_LOSSES}; the reference study's BigGAN used wasserstein).",
)
@click.option("--n-critic", type=POSITIVE, help="Discriminator steps per generator step.")
@click.option("--g-lr", type=float, help="Generator learning rate.")
@click.option("--d-lr", type=float, help="Discriminator learning rate.")
@click.option(
    "--lr-decay",
    type=click.FloatRange(min=0, max=1),
    help="Share of the run, at its end, over which both learning rates fall linearly to 0 (0: constant). Default: by size.",
)
@click.option(
    "--beta-1",
    type=click.FloatRange(min=0, max=1, max_open=True),
    help="Adam's beta_1 for both networks (BigGAN: 0; WGAN-GP: 0). Default: by model.",
)
@click.option(
    "--beta-2",
    type=click.FloatRange(min=0, max=1, max_open=True),
    help="Adam's beta_2 for both networks (BigGAN: 0.999; WGAN-GP: 0.9). Default: by model.",
)
@click.option("--z-dim", type=POSITIVE, help="Latent size. Default: by model and size.")
@click.option("--diffaugment", help='DiffAugment policy, e.g. "color,translation,cutout"; "" for none.')
@click.option(
    "--diffaugment-probability",
    type=click.FloatRange(min=0, max=1, min_open=True),
    help="The chance that DiffAugment shifts an image, and that it cuts one out (colour always applies); below 1 the discriminator also sees where the hands sit and how large they are. Default: by size.",
)
@click.option(
    "--lecam-weight", type=click.FloatRange(min=0), help="LeCam regularisation weight on D (0: off). Default: by model."
)
@click.option(
    "--gradient-penalty",
    type=click.FloatRange(min=0),
    help="Weight of the gradient penalty (WGAN-GP: (|grad D| - 1)^2 on interpolates of the augmented real and generated images) on D (0: off). Default: by model.",
)
@click.option(
    "--drift",
    type=click.FloatRange(min=0),
    help="Weight of the drift term E[D(x)^2] on real logits (Progressive GAN's 0.001 keeps a Wasserstein critic's outputs from wandering; 0: off). Default: by model.",
)
@click.option(
    "--r1",
    type=click.FloatRange(min=0),
    help="Weight gamma of the R1 penalty gamma/2 E|grad D(x)|^2 on the augmented real images (Mescheder et al. 2018; zero-centred, it penalises a critic that is linear where a one-centred gradient penalty does not); 0: off. Default: by model.",
)
@click.option(
    "--consistency",
    type=click.FloatRange(min=0),
    help="Weight of consistency regularisation on D (Zhang et al. 2020: the squared difference of its logits for two DiffAugment views of each real image; needs --diffaugment); 0: off. Default: by model.",
)
@click.option(
    "--mode-seeking",
    type=click.FloatRange(min=0),
    help="Weight of the mode-seeking term on G (Mao et al. 2019: pairs of latents of one class pay the reciprocal of how far apart their images lie; it fights near copies within a class); 0: off. Default: by model.",
)
@click.option(
    "--critic-norm",
    type=click.Choice(["spectral", "none"]),
    help="wcgan: spectral norm on every critic layer (the reference's), or none (a critic held by --gradient-penalty instead, as WGAN-GP). Default: by model.",
)
@click.option(
    "--minibatch-std",
    type=click.Choice(["on", "off"]),
    help="biggan: the minibatch standard deviation (Progressive GAN: how much groups of 4 images differ) as an input of the discriminator's last block, meant against near copies within a class (on LSA16 no gain over two seeds). Default: off.",
)
@click.option(
    "--ema-decay",
    type=click.FloatRange(min=0, max=1, max_open=True),
    help="Decay of the generator's weight average (models that keep one). Default: by size.",
)
@click.option("--truncation", type=float, help="Truncation for sample grids (and the export default).")
@click.option(
    "--mixed-precision/--no-mixed-precision", default=None, help="mixed_float16. Default: on with a GPU, off on CPU."
)
@click.option(
    "--jit-compile",
    type=click.Choice(["auto", "on", "off"]),
    default="auto",
    show_default=True,
    help="XLA compilation of the train step.",
)
@click.option(
    "--strategy", type=click.Choice(STRATEGIES), default="auto", show_default=True, help="tf.distribute strategy."
)
@click.option("--sample-every", type=POSITIVE, help="Steps between sample grids.")
@click.option("--checkpoint-every", type=POSITIVE, help="Steps between checkpoints.")
@click.option("--log-every", type=POSITIVE, help="Steps between metrics.csv rows.")
@click.option(
    "--eval-every",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Steps between FID/KID evaluations of the EMA generator (0: never), logged to evaluations.csv and TensorBoard; the best-FID checkpoint is kept as checkpoints/best.npz. Suggested: 2000 for --size small on a CPU (runs evaluating 800 images every 1000 steps spent 11-29% of their time on it); fit reports the share it measured, and a cadence for 10% when above.",
)
@click.option(
    "--eval-features",
    default="inception",
    show_default=True,
    help="Extractor for --eval-every: 'inception', 'fid-inception' or a .keras model file.",
)
@click.option(
    "--eval-samples",
    type=POSITIVE,
    help=f"Generated images per evaluation. Default: as many as the dataset has, at most {DEFAULT_EVAL_SAMPLES:,}.",
)
@click.option("--dry-run", is_flag=True, help="Print the resolved config and exit.")
def fit(model, dataset, resume, run_dir, steps, mixed_precision, dry_run, critic_norm, minibatch_std, **options):
    """Train MODEL on DATASET (a name or a path).

    \b
    Examples:
      signgan fit biggan lsa16 --size small
      signgan fit wcgan lsa64 --size base --batch-size 128
      signgan fit biggan ./my_handshapes --image-size 32
      signgan fit --resume runs/biggan-lsa16-20260101-120000 --steps 4000 --g-lr 0.00005
      signgan fit biggan lsa16 --size small --eval-every 2000 --eval-features fid-inception

    With --resume, only --steps, the cadences (--sample-every, --checkpoint-every,
    --log-every, --eval-every, --eval-samples, --eval-features), --g-lr, --d-lr, --lr-decay and
    --strategy may be given; the change is recorded in the run's config.json.
    """
    layout = _layout_options(model, resume, critic_norm=critic_norm, minibatch_std=minibatch_std)
    if layout:
        options["layout"] = layout
    if resume:
        if run_dir:
            raise UserError("Use either --run-dir (a new run) or --resume (an existing one), not both.")
        if model or dataset:
            raise UserError("--resume continues the run's own model and dataset: drop MODEL and DATASET.")
        # Only what the user typed is a change; click's defaults are not.
        ctx = click.get_current_context()
        given = {
            name: value
            for name, value in options.items()
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
        }
        if ctx.get_parameter_source("mixed_precision") is not click.core.ParameterSource.DEFAULT:
            given["mixed_precision"] = mixed_precision
        from keras_signgan.runs import read_config  # heavy (NumPy, TensorFlow): kept out of --help

        config, _ = read_config(resume).with_changes(steps=steps, **given)  # refuse before loading anything
        if dry_run:
            click.echo(config.to_json())
            return
        result = _run(resume=resume, steps=steps, changes=given)
    else:
        if not model or not dataset:
            raise UserError("Give MODEL and DATASET (e.g. `signgan fit biggan lsa16`), or --resume RUN_DIR.")
        if mixed_precision is None and not dry_run:
            from keras_signgan.training.fit import gpu_available  # heavy (NumPy, TensorFlow): kept out of --help

            mixed_precision = gpu_available()
        config = TrainConfig.create(model, dataset, steps=steps, mixed_precision=bool(mixed_precision), **options)
        if dry_run:
            click.echo(config.to_json())
            return
        result = _run(config=config, run_dir=run_dir)
    click.echo(str(result.run_dir))


# The layout options the command line sets: flag parameter -> (model, layout option).
LAYOUT_FLAGS = {"critic_norm": ("wcgan", "critic_norm"), "minibatch_std": ("biggan", "d_minibatch_std")}


def _layout_options(model, resume, **flags):
    """The layout options given on the command line, refused for --resume and other models."""
    layout = {}
    for name, value in flags.items():
        if value is None:
            continue
        owner, option = LAYOUT_FLAGS[name]
        flag = "--" + name.replace("_", "-")
        if resume:
            raise UserError(f"--resume cannot change {flag}: the checkpoint holds the run's own networks.")
        if model != owner:
            raise UserError(f"{flag} applies to {owner} only; {model or 'this model'} has no such option.")
        layout[option] = value
    return layout


def _run(**kwargs):
    from keras_signgan.training.fit import fit as run_fit  # heavy (NumPy, TensorFlow): kept out of --help

    try:
        return run_fit(log=lambda message: click.echo(message, err=True), **kwargs)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
