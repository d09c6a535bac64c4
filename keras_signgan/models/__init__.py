"""The GAN families: their names and training defaults, without importing Keras.

    basic    BasicGAN   models/basic/    Goodfellow et al. 2014: MLPs, label concatenation
    wcgan    WCGAN      models/wcgan/    Wasserstein conditional GAN, spectrally normalised critic
    biggan   BigGAN     models/biggan/   a cut-down BigGAN

Each family is a folder holding its GAN class (a `ConditionalGAN`, see gan.py), its networks
with their `WIDTHS` table, and any blocks only it uses; its `__init__` states the family's
training defaults. `MODEL_NAMES` and `MODEL_DEFAULTS`, which `TrainConfig` fills in and the
CLI offers as choices, derive from `FAMILIES`; nothing here loads TensorFlow, so
`signgan --help` stays instant. The classes themselves, and `build_gan(config)`, are in
`keras_signgan.models.build`.
"""

from keras_signgan.errors import ConfigError
from keras_signgan.models import basic, biggan, wcgan

FAMILIES = {"basic": basic, "wcgan": wcgan, "biggan": biggan}
MODEL_NAMES = tuple(FAMILIES)
MODEL_DEFAULTS = {name: dict(family.DEFAULTS) for name, family in FAMILIES.items()}
# The losses models/losses.py computes, named here so the CLI can offer them without Keras.
LOSSES = ("bce", "wasserstein", "hinge")


def check_model(name):
    """Return `name` if it is a model family, else raise ConfigError listing them."""
    if name not in FAMILIES:
        raise ConfigError(f"Unknown model {name!r}. Valid models: {', '.join(MODEL_NAMES)}.")
    return name
