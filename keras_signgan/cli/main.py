"""The `signgan` click group and how user errors become exit code 2."""

import click

from keras_signgan import __version__
from keras_signgan.errors import SignGANError


class UserError(click.ClickException):
    """A user mistake: printed as one `Error: ...` line, exit code 2."""

    exit_code = 2


class SignGANGroup(click.Group):
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
      signgan augment lsa16 --generator saved_models/biggan_lsa16 --ratios 0,100
    """
