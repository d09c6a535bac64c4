"""`signgan plot`."""

import pathlib

import click

from keras_signgan.cli.main import UserError, cli


@cli.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path())
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="PNG to write. Default: RUN/fid-curve.png (required with several runs).",
)
def plot(runs, out):
    """Plot FID during training (fit --eval-every) of one run or several.

    \b
    Two panels: FID against wall-clock minutes (what you waited, evaluations included) and
    FID against steps; one line per run, labelled by its directory name, each run's best
    point (the checkpoint kept as checkpoints/best.npz) marked.
    Examples:
      signgan plot runs/biggan-lsa16-20260101-120000
      signgan plot runs/biggan-lsa16-small runs/wcgan-lsa16-small --out fid.png
    """
    from keras_signgan.plots import plot_fid_curves  # heavy (NumPy, TensorFlow): kept out of --help
    from keras_signgan.runs import FID_CURVE_FILE, read_evaluations  # heavy (NumPy, TensorFlow): kept out of --help

    if len(runs) > 1 and not out:
        raise UserError(f"With {len(runs)} runs, say where the plot goes: --out FILE.png.")
    if out and pathlib.Path(out).suffix.lower() != ".png":
        raise UserError(f"--out must end in .png. Received: {out}.")
    paths = [pathlib.Path(run) for run in runs]
    names = [path.name or str(path) for path in paths]
    # Two runs of the same name (a/run, b/run) are told apart by the path given.
    labels = [str(path) if names.count(name) > 1 else name for path, name in zip(paths, names)]
    curves = [(label, read_evaluations(path)) for label, path in zip(labels, paths)]  # all read before writing
    out = pathlib.Path(out) if out else paths[0] / FID_CURVE_FILE
    plot_fid_curves(curves, out)
    for label, rows in curves:
        scored = [row for row in rows if row["fid"] is not None]
        if not scored:
            click.echo(f"{label}: {len(rows)} evaluations, none with a finite FID")
            continue
        best = min(scored, key=lambda row: row["fid"])
        when = f", {best['wall_seconds'] / 60:.1f} min" if best["wall_seconds"] is not None else ""
        click.echo(f"{label}: {len(rows)} evaluations, best FID {best['fid']:.4g} at step {best['step']}{when}")
    click.echo(str(out))
