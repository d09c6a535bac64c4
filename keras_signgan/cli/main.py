"""The `signgan` click group and how user errors become exit code 2."""

import os
import sys

import click

from keras_signgan import __version__
from keras_signgan.errors import SignGANError
from keras_signgan.interrupts import stop_on_signals


class UserError(click.ClickException):
    """A user mistake: printed as one `Error: ...` line, exit code 2."""

    exit_code = 2


class CheckedChoice(click.Choice):
    """A choice the library checks (`check(value)` returns it or raises SignGANError), so the
    command line and the library refuse a wrong value with the same message; `--help` still
    lists the choices."""

    def __init__(self, check, choices):
        super().__init__(choices)
        self.check = check

    def convert(self, value, param, ctx):
        try:
            return self.check(value)
        except SignGANError as error:
            self.fail(str(error), param, ctx)


class QuietCommand(click.Command):
    """A command that imports TensorFlow quietly once its arguments have parsed, and stops
    on SIGTERM as on Ctrl-C (`fit` saves a checkpoint, `augment` keeps its finished cells),
    even when the signal arrives inside a finalizer (see `keras_signgan.interrupts`)."""

    def invoke(self, ctx):
        import_tensorflow_quietly()
        with stop_on_signals():
            return super().invoke(ctx)


class SignGANGroup(click.Group):
    command_class = QuietCommand
    group_class = type  # sub-groups are SignGANGroups too

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SignGANError as error:
            raise UserError(str(error)) from None


@click.group(cls=SignGANGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="signgan")
def cli():
    """Class-conditional GANs for sign-language handshapes.

    \b
    Examples:
      signgan datasets list
      signgan fit biggan lsa16 --size small --steps 2000
      signgan evaluate runs/biggan-lsa16-20260101-120000 --metrics kid,cas
      signgan export runs/biggan-lsa16-20260101-120000
      signgan plot runs/biggan-lsa16-20260101-120000
      signgan augment lsa16 --generator saved_models/biggan_lsa16 --ratios 0,100
    """


def import_tensorflow_quietly():
    """Import TensorFlow with its C++ start-up lines (oneDNN, CUDA probing) kept off the terminal.

    TensorFlow prints them straight to file descriptor 2 before its logging is configured,
    so `TF_CPP_MIN_LOG_LEVEL` cannot hide them; Python errors still surface normally.
    """
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow as tf  # heavy: imported here, with its start-up lines hidden

            tf.config.list_physical_devices()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
