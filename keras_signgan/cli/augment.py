"""`signgan augment`."""

import pathlib

import click

from keras_signgan.cli.main import CheckedChoice, cli
from keras_signgan.models import MODEL_NAMES, check_model
from keras_signgan.models.presets import LOSSES, SIZES, check_size

POSITIVE = click.IntRange(min=1)
# Options of the GANs' quality and the filtered conditions (run_experiment's own arguments).
QUALITY_OPTIONS = ("filter_confidence", "gan_target_fid", "gan_eval_every", "gan_eval_features", "gan_workers")


@cli.command()
@click.argument("dataset")
@click.option(
    "--model",
    type=CheckedChoice(check_model, MODEL_NAMES),
    help="Train one GAN of this family per fold and fraction, on that cell's real training images only (leak-free).",
)
@click.option(
    "--generator",
    "generator_source",
    type=click.Path(),
    help="A generator trained elsewhere (export or run directory); flagged: it may have seen the test images.",
)
@click.option(
    "--size",
    type=CheckedChoice(check_size, SIZES),
    default="small",
    show_default=True,
    help="GAN preset (with --model; long: biggan only).",
)
@click.option("--gan-steps", type=POSITIVE, help="Steps per GAN (with --model). Default: by --size.")
@click.option(
    "--gan-batch-size", type=POSITIVE, help="GAN batch size; capped to a cell's image count. Default: by --size."
)
@click.option("--loss", type=click.Choice(LOSSES), help="GAN loss override (with --model).")
@click.option("--diffaugment", help='GAN DiffAugment policy (with --model); "" for none.')
@click.option("--lecam-weight", type=click.FloatRange(min=0), help="GAN LeCam weight (with --model).")
@click.option("--g-lr", type=float, help="GAN generator learning rate (with --model).")
@click.option("--d-lr", type=float, help="GAN discriminator learning rate (with --model).")
@click.option("--z-dim", type=POSITIVE, help="GAN latent size (with --model).")
@click.option("--n-critic", type=POSITIVE, help="GAN discriminator steps per generator step (with --model).")
@click.option("--truncation", type=float, help="Truncation of the generated images (with --model).")
@click.option(
    "--gan-eval-features",
    help="Extractor of each GAN's FID (with --model): 'fid-inception', 'inception' or a .keras model file. "
    "Default: fid-inception when imported (signgan features import), else inception.",
)
@click.option(
    "--gan-target-fid",
    type=click.FloatRange(min=0, min_open=True),
    help="Stop each GAN at its first evaluation with FID <= this (at most --gan-steps) and use its best-FID "
    "checkpoint (with --model).",
)
@click.option(
    "--gan-eval-every",
    type=POSITIVE,
    help="With --gan-target-fid: GAN steps between FID evaluations. Default: a tenth of the GAN's steps.",
)
@click.option(
    "--gan-workers",
    type=POSITIVE,
    default=1,
    show_default=True,
    help="Train this many GANs at once, each in a process of its own, before the classifiers (with --model). "
    "On a 2-core CPU, 2 trained 1.3x the steps of 1; each GAN's log: OUT/gans/CELL/fit.log.",
)
@click.option(
    "--train-fractions",
    default="1",
    show_default=True,
    help="Fractions of each fold's real training part (per class), e.g. 0.1,0.25,1.",
)
@click.option(
    "--ratios", default="0,25,50,100,200", show_default=True, help="Generated images as % of the real training part."
)
@click.option(
    "--split",
    type=click.Choice(["random", "subject"]),
    default="random",
    show_default=True,
    help="random: stratified; subject: test subjects never seen in training.",
)
@click.option(
    "--folds",
    type=click.IntRange(2),
    help="With --split subject: subjects in K folds, each tested once (K = subjects: leave-one-subject-out).",
)
@click.option("--repeats", type=POSITIVE, default=3, show_default=True, help="With --split random: random splits.")
@click.option(
    "--epochs", type=POSITIVE, default=40, show_default=True, help="The classifier's most epochs (early stopping)."
)
@click.option(
    "--classical/--no-classical",
    default=True,
    show_default=True,
    help="Also train the classical-augmentation conditions.",
)
@click.option(
    "--synthetic/--no-synthetic",
    default=True,
    show_default=True,
    help="Also train on generated images only (classification accuracy score).",
)
@click.option(
    "--filter-confidence",
    type=click.FloatRange(0, 1),
    default=0.9,
    show_default=True,
    help="Add (classical +) filtered generated: only images the cell's real-only classifier assigns to their "
    "class with at least this confidence (0: no filtered condition).",
)
@click.option(
    "--test-fraction",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.2,
    show_default=True,
    help="With --split random (or subject without --folds).",
)
@click.option(
    "--width", type=POSITIVE, default=32, show_default=True, help="Classifier width (channels of its first stage)."
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(), help="Results folder. Default: augment-<dataset>-<split>/.")
@click.option(
    "--resume", is_flag=True, help="Complete an interrupted experiment in --out (finished GANs and cells are reused)."
)
@click.option("--dry-run", is_flag=True, help="Print the plan (GANs, classifier fits) and exit.")
def augment(
    dataset,
    model,
    generator_source,
    size,
    gan_steps,
    gan_batch_size,
    train_fractions,
    ratios,
    split,
    folds,
    repeats,
    epochs,
    classical,
    synthetic,
    test_fraction,
    width,
    seed,
    out,
    resume,
    dry_run,
    **gan_options,
):
    """Does adding generated images help a handshape classifier trained on DATASET?

    \b
    Per fold and training fraction, trains one GAN on that cell's real training images only
    (its FID against them and its classification score recorded), then classifiers on: real
    only, classical augmentation, real + r% generated, real + classical + r% generated, real
    + classical + r% filtered generated, and generated only; tests on the held-out fold.
    Writes results.json, results.md (paired differences with 95% intervals, the GANs'
    quality) and accuracy.png.
    Examples:
      signgan augment lsa16 --model biggan --size small --gan-steps 1500 \\
          --split subject --folds 5 --train-fractions 0.1,1 --ratios 100
      signgan augment lsa16 --model biggan --gan-steps 3000 --gan-target-fid 60 \\
          --filter-confidence 0.9 --split subject --folds 5 --train-fractions 0.1
      signgan augment lsa16 --generator saved_models/biggan_lsa16 --ratios 0,100
    """
    from keras_signgan.augment.experiment import run_experiment  # heavy (NumPy, TensorFlow): kept out of --help
    from keras_signgan.augment.report import RESULTS_MD  # heavy (NumPy): kept out of --help

    quality = {k: gan_options.pop(k) for k in QUALITY_OPTIONS}  # the rest are TrainConfig overrides
    gan = {k: v for k, v in gan_options.items() if v is not None}
    gan.update(
        {k: v for k, v in (("size", size), ("steps", gan_steps), ("batch_size", gan_batch_size)) if v is not None}
    )
    out = pathlib.Path(out or f"augment-{pathlib.Path(dataset).stem}-{split}")
    try:
        run_experiment(
            dataset,
            generator_source,
            out,
            ratios=ratios,
            repeats=repeats,
            split=split,
            epochs=epochs,
            classical=classical,
            resume=resume,
            seed=seed,
            test_fraction=test_fraction,
            width=width,
            log=lambda message: click.echo(message, err=True),
            model=model,
            gan_options=gan if model else None,
            fractions=train_fractions,
            folds=folds,
            synthetic=synthetic,
            dry_run=dry_run,
            **quality,
        )
    except KeyboardInterrupt:
        click.echo(
            f"\nInterrupted; finished GANs and cells are in {out}. Continue with --resume --out {out}.", err=True
        )
        raise SystemExit(130) from None
    if dry_run:
        return
    click.echo((out / RESULTS_MD).read_text())
    click.echo(f"Results: {out}")
