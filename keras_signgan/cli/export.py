"""`signgan export` and `signgan generate`."""

import json
import pathlib

import click

from keras_signgan.cli.main import UserError, cli


@cli.command()
@click.argument("run_dir", type=click.Path())
@click.option("--out", type=click.Path(), help="Export directory. Default: saved_models/<model>_<dataset>/.")
@click.option("--overwrite", is_flag=True, help="Replace an existing export.")
@click.option(
    "--checkpoint",
    default="latest",
    show_default=True,
    help="Which checkpoint: latest, best (the lowest FID of fit --eval-every) or a step number.",
)
def export(run_dir, out, overwrite, checkpoint):
    """Export the generator of RUN_DIR (its EMA weights for BigGAN) as a TF SavedModel.

    \b
    The export takes z: float32 [None, z_dim] and label: int32 [None] and returns
    images: uint8 [None, H, W, 3]; signgan.json beside it names the classes.
    Examples:
      signgan export runs/biggan-lsa16-20260101-120000
      signgan export runs/biggan-lsa16-20260101-120000 --checkpoint best --out saved_models/best
    """
    from keras_signgan.export import METADATA_FILE, export_generator  # heavy (NumPy, TensorFlow): kept out of --help

    path = export_generator(run_dir, out=out, overwrite=overwrite, checkpoint=checkpoint)
    metadata = json.loads((path / METADATA_FILE).read_text())
    click.echo(f"Exported {metadata['checkpoint']} (step {metadata['step']}).", err=True)
    click.echo(str(path))


@cli.command()
@click.argument("source", type=click.Path())
@click.option("--classes", help="Comma-separated class names or indices. Default: all classes.")
@click.option("--all-classes", is_flag=True, help="Every class (the default).")
@click.option("--num", type=int, help="Total images, spread evenly over the classes.")
@click.option("--per-class", type=int, help="Images per class (default 8).")
@click.option("--truncation", type=float, help="Truncation trick threshold (> 0). Default: the model's.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same images.")
@click.option(
    "--out", required=True, type=click.Path(), help="grid.png, images.npz, or a directory (one sub-folder per class)."
)
def generate(source, classes, all_classes, num, per_class, truncation, seed, out):
    """Generate labelled images from SOURCE, an export directory or a run directory.

    \b
    Examples:
      signgan generate saved_models/biggan_lsa16 --out grid.png
      signgan generate saved_models/biggan_lsa16 --classes Five,V --per-class 100 --out synth.npz
      signgan generate runs/biggan-lsa16-20260101-120000 --num 1600 --out synthetic_lsa16/
    """
    from keras_signgan.generators import (  # heavy (NumPy, TensorFlow): kept out of --help
        balanced_labels,
        load_generator,
        write_generated,
    )

    if classes and all_classes:
        raise UserError("Use either --classes or --all-classes, not both.")
    if num is not None and per_class is not None:
        raise UserError("Use either --num or --per-class, not both.")
    if truncation is not None and truncation <= 0:
        raise UserError(f"--truncation must be > 0. Received: {truncation}.")
    if num is not None and num <= 0:
        raise UserError(f"--num must be > 0. Received: {num}.")
    if per_class is not None and per_class <= 0:
        raise UserError(f"--per-class must be > 0. Received: {per_class}.")
    if pathlib.Path(out).suffix.lower() not in (".png", ".npz", ""):
        raise UserError(f"--out must end in .png or .npz, or be a directory. Received: {out}.")
    generator = load_generator(source)
    if classes:
        indices = [generator.class_index(c) for c in classes.split(",") if c.strip()]
    else:
        indices = list(range(generator.num_classes))
    if num is None and per_class is None:
        per_class = 8
    labels = balanced_labels(indices, num=num, per_class=per_class)
    images = generator.generate(labels, seed=seed, truncation=truncation)
    write_generated(images, labels, generator.class_names, out)
    click.echo(f"{len(images)} images of {len(set(labels.tolist()))} classes -> {out}")
