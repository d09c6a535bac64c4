"""The GAN families: one registry of their names, presets and classes, without importing Keras.

    basic    BasicGAN   models/basic/    Goodfellow et al. 2014: MLPs, label concatenation
    wcgan    WCGAN      models/wcgan/    Wasserstein conditional GAN, spectrally normalised critic
    biggan   BigGAN     models/biggan/   a cut-down BigGAN

Each family is a folder holding its presets (`presets.py`: one table of widths, training
defaults, run lengths, EMA and measured cost per size), its GAN class (a `ConditionalGAN`,
see gan.py), its networks and any blocks only it uses. `FAMILIES` maps a name to the
family's package, which states `DEFAULTS` and `PRESETS` and gives its class through
`gan_class()` (imported only then, so `signgan --help` stays instant). `TrainConfig`, the
CLI and `build_gan` (`keras_signgan.models.build`) all go through this registry.
"""

from keras_signgan.errors import ConfigError
from keras_signgan.models import basic, biggan, wcgan
from keras_signgan.models.presets import presets_table

FAMILIES = {"basic": basic, "wcgan": wcgan, "biggan": biggan}
MODEL_NAMES = tuple(FAMILIES)
MODEL_DEFAULTS = {name: dict(family.DEFAULTS) for name, family in FAMILIES.items()}


def check_model(name):
    """Return `name` if it is a model family, else raise ConfigError listing them."""
    if name not in FAMILIES:
        raise ConfigError(f"Unknown model {name!r}. Valid models: {', '.join(MODEL_NAMES)}.")
    return name


def family(name):
    """The package of the family `name` (its `DEFAULTS`, `PRESETS`, `gan_class()`)."""
    return FAMILIES[check_model(name)]


def model_class(name):
    """The GAN class of the family `name` (imports TensorFlow)."""
    return family(name).gan_class()


def presets_help():
    """Every family's presets as help text (`signgan fit --help`)."""
    return presets_table(FAMILIES)
