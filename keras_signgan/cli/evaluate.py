"""`signgan evaluate`."""

import pathlib

import click

from keras_signgan.cli.main import cli
from keras_signgan.io_utils import write_json_atomic


@cli.command()
@click.argument("source", type=click.Path())
@click.option("--dataset", help="Real data to compare with. Default: the dataset the generator was trained on.")
@click.option("--num-samples", type=int, help="Generated images, class-balanced. Default: as many as the dataset has.")
@click.option(
    "--metrics",
    help="Comma-separated metric names (fid, kid, ...; a wrong name lists them all). Default: every metric.",
)
@click.option(
    "--features",
    default="inception",
    show_default=True,
    help="'inception' (Keras InceptionV3, ImageNet), 'fid-inception' (pytorch-fid's network: published-scale FID) or a .keras model file.",
)
@click.option(
    "--reference-stats", type=click.Path(), help="An .npz with mu and sigma (pytorch-fid layout) to use for FID."
)
@click.option(
    "--save-stats", type=click.Path(), help="Write the real images' mu and sigma to this .npz (pytorch-fid layout)."
)
@click.option("--truncation", type=float, help="Truncation threshold (> 0). Default: the generator's.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--classifier-epochs",
    type=click.IntRange(1),
    default=40,
    show_default=True,
    help="For metrics that train the classifier (cas): its most epochs.",
)
@click.option(
    "--checkpoint",
    default="latest",
    show_default=True,
    help="Which checkpoint of a run directory: latest, best (the lowest FID of fit --eval-every) or a step number.",
)
@click.option(
    "--json", "json_path", type=click.Path(), help="Write the results here. Default: <SOURCE>/evaluation.json."
)
def evaluate(
    source,
    dataset,
    num_samples,
    metrics,
    features,
    reference_stats,
    save_stats,
    truncation,
    seed,
    classifier_epochs,
    checkpoint,
    json_path,
):
    """Score the generator of SOURCE (a run directory, using its EMA weights, or an export).

    \b
    Examples:
      signgan evaluate runs/biggan-lsa16-20260101-120000
      signgan evaluate runs/biggan-lsa16-20260101-120000 --checkpoint best
      signgan evaluate saved_models/biggan_lsa16 --metrics fid,kid --num-samples 6400
      signgan evaluate saved_models/biggan_lsa16 --metrics fid,kid --features fid-inception
      signgan evaluate runs/R --features my_extractor.keras --json scores.json
    """
    from keras_signgan.metrics.evaluate import evaluate as run_evaluation  # heavy (TensorFlow): not for --help
    from keras_signgan.metrics.evaluate import format_table  # heavy (NumPy, TensorFlow): kept out of --help
    from keras_signgan.metrics.registry import parse_metrics  # heavy (NumPy, TensorFlow): kept out of --help
    from keras_signgan.runs import EVALUATION_FILE  # heavy (NumPy, TensorFlow): kept out of --help

    parse_metrics(metrics)  # fail on a typo before loading anything
    if truncation is not None and truncation <= 0:
        raise click.UsageError(f"--truncation must be > 0. Received: {truncation}.")
    result = run_evaluation(
        source,
        dataset=dataset,
        num_samples=num_samples,
        metrics=metrics,
        features=features,
        reference_stats=reference_stats,
        save_stats=save_stats,
        seed=seed,
        truncation=truncation,
        classifier_epochs=classifier_epochs,
        checkpoint=checkpoint,
    )
    out = pathlib.Path(json_path) if json_path else pathlib.Path(source) / EVALUATION_FILE
    write_json_atomic(out, result)
    if result.get("checkpoint"):
        click.echo(f"Checkpoint: {result['checkpoint']} (step {result['step']})")
    for line in format_table(result):
        click.echo(line)
    click.echo(f"Results: {out}")
