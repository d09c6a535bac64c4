"""Command-line interface: a thin layer over the library (parse, call, print)."""

# Importing the command modules registers their commands on `cli`. They import the
# library inside the commands (each such import marked "heavy"): it loads NumPy and
# TensorFlow, which `signgan --help` and usage errors do without.
from keras_signgan.cli import augment, datasets, evaluate, export, features, fit, plot  # noqa: F401,E402
from keras_signgan.cli.main import cli


def main():
    cli(prog_name="signgan")
