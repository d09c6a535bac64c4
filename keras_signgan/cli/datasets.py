"""`signgan datasets`: list, describe, download, import and show datasets."""

import pathlib

import click

from keras_signgan.cli.main import cli


def _format_count(value):
    return "?" if value is None else f"{value:,}"


@cli.group(invoke_without_command=True)
@click.pass_context
def datasets(ctx):
    """Named datasets: list them, fetch or import their archives, look at them.

    \b
    Examples:
      signgan datasets
      signgan datasets info lsa16
      signgan datasets download lsa16
      signgan datasets import lsa16 ~/Downloads/lsa32x32_nr_rgb_black_background.zip
      signgan datasets show lsa64 --out lsa64.png
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command)


@datasets.command("list")
def list_command():
    """Table of the named datasets: images, classes, and whether they are cached."""
    from keras_signgan.data import list_datasets  # heavy (NumPy, TensorFlow): kept out of --help

    rows = [("name", "images", "classes", "cached", "description")]
    for spec in list_datasets():
        rows.append(
            (
                spec.name,
                _format_count(spec.num_images),
                _format_count(spec.num_classes),
                "yes" if spec.is_cached() else "no",
                spec.description,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + "  " + row[4])
    click.echo(
        "\nAlso accepted wherever a dataset is: a folder with one sub-folder per class, or an .npz with x and y."
    )


@datasets.command()
@click.argument("name")
def info(name):
    """What NAME is; its classes and counts when it is cached (or a local path)."""
    from keras_signgan.data import get_spec, load_dataset  # heavy (NumPy, TensorFlow): kept out of --help
    from keras_signgan.data.registry import is_path_like  # heavy (NumPy, TensorFlow): kept out of --help

    if not is_path_like(name):
        spec = get_spec(name)
        click.echo(f"{spec.name}: {spec.description}")
        click.echo(f"images: {_format_count(spec.num_images)}  classes: {_format_count(spec.num_classes)}")
        if spec.download_bytes:
            click.echo(f"download: {spec.download_bytes / 1e6:,.1f} MB")
        if not spec.is_cached():
            click.echo(f"Not cached. Fetch it with: signgan datasets download {spec.name}")
            return
    dataset = load_dataset(name)
    click.echo(
        f"loaded: {len(dataset):,} images of {dataset.image_size}x{dataset.image_size}, {dataset.num_classes} classes"
    )
    counts = dataset.class_counts()
    for index, class_name in enumerate(dataset.class_names):
        click.echo(f"  {index:3d}  {class_name:<20} {counts[index]:6,}")
    if dataset.metadata:
        click.echo("metadata: " + ", ".join(sorted(dataset.metadata)))


@datasets.command()
@click.argument("name")
def download(name):
    """Download NAME's archive into the cache (sha256 checked)."""
    from keras_signgan.data import download_dataset  # heavy (NumPy, TensorFlow): kept out of --help

    path = download_dataset(name)
    click.echo(f"{name} is cached at {path}")


@datasets.command("import")
@click.argument("name")
@click.argument("file", type=click.Path())
def import_command(name, file):
    """Add a manually downloaded archive FILE for NAME to the cache (for machines offline)."""
    from keras_signgan.data import import_archive  # heavy (NumPy, TensorFlow): kept out of --help

    path = import_archive(name, file)
    click.echo(f"Imported {file} as {name}: {path}")


@datasets.command()
@click.argument("name")
@click.option("--out", type=click.Path(), help="PNG to write. Default: <name>.png.")
@click.option("--per-class", type=click.IntRange(1, 64), default=8, show_default=True, help="Images per row.")
@click.option("--seed", type=int, default=0, show_default=True, help="Which images are picked.")
def show(name, out, per_class, seed):
    """Save a grid of NAME's images: one labelled row per class."""
    from keras_signgan.data import load_dataset  # heavy (NumPy, TensorFlow): kept out of --help
    from keras_signgan.plots import save_labelled_grid  # heavy (NumPy, TensorFlow): kept out of --help

    dataset = load_dataset(name)
    rows = dataset.class_rows(range(dataset.num_classes), per_class, seed=seed)
    out = pathlib.Path(out or f"{pathlib.Path(str(name)).stem or 'dataset'}.png")
    save_labelled_grid(rows, dataset.class_names, out, title=f"{dataset.name}: {len(dataset):,} images")
    click.echo(f"{dataset.num_classes} classes x {per_class} images -> {out}")
