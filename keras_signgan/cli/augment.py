"""`signgan augment`."""

import pathlib

import click

from keras_signgan.cli.main import cli


@cli.command()
@click.argument("dataset")
@click.option("--generator", "generator_source", required=True, type=click.Path(), help="An export (saved_models/...) or a run directory.")
@click.option("--ratios", default="0,25,50,100,200", show_default=True, help="Generated images as % of the real training set.")
@click.option("--repeats", type=click.IntRange(1), default=3, show_default=True, help="Splits per condition.")
@click.option("--split", type=click.Choice(["random", "subject"]), default="random", show_default=True, help="random: stratified; subject: test subjects never seen in training.")
@click.option("--epochs", type=click.IntRange(1), default=40, show_default=True, help="The classifier's most epochs (early stopping).")
@click.option("--classical/--no-classical", default=True, show_default=True, help="Also train the classical-augmentation baseline.")
@click.option("--test-fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.2, show_default=True)
@click.option("--width", type=click.IntRange(1), default=32, show_default=True, help="Classifier width (channels of its first stage).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(), help="Results folder. Default: augment-<dataset>-<split>/.")
@click.option("--resume", is_flag=True, help="Complete an interrupted experiment in --out.")
def augment(dataset, generator_source, ratios, repeats, split, epochs, classical, test_fraction, width, seed, out, resume):
    """Train a handshape classifier on DATASET with 0..N% generated images added; report accuracy.

    \b
    Writes results.json, results.md (the table) and accuracy.png to --out.
    Examples:
      signgan augment lsa16 --generator saved_models/biggan_lsa16
      signgan augment lsa16 --generator runs/R --ratios 0,100 --repeats 3 --split subject
    """
    from keras_signgan.augment.experiment import RESULTS_MD, parse_ratios, run_experiment  # heavy (NumPy, TensorFlow): kept out of --help

    ratio_values = parse_ratios(ratios)  # a typo fails before anything loads
    out = pathlib.Path(out or f"augment-{pathlib.Path(dataset).stem}-{split}")
    try:
        run_experiment(
            dataset, generator_source, out, ratios=ratio_values, repeats=repeats, split=split, epochs=epochs,
            classical=classical, resume=resume, seed=seed, test_fraction=test_fraction, width=width,
            log=lambda message: click.echo(message, err=True),
        )
    except KeyboardInterrupt:
        click.echo(f"\nInterrupted; finished cells are in {out}. Continue with --resume --out {out}.", err=True)
        raise SystemExit(130) from None
    click.echo((out / RESULTS_MD).read_text())
    click.echo(f"Results: {out}")
