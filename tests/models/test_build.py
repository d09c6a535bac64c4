"""The family registry: names and defaults (no Keras) agree with the classes."""

from keras_signgan.models import FAMILIES, LOSSES, MODEL_DEFAULTS, MODEL_NAMES
from keras_signgan.models.build import MODEL_CLASSES, model_class
from keras_signgan.models.gan import ConditionalGAN


def test_every_family_has_a_class_with_its_defaults():
    assert tuple(MODEL_CLASSES) == MODEL_NAMES == tuple(FAMILIES)
    for name in MODEL_NAMES:
        cls = model_class(name)
        assert issubclass(cls, ConditionalGAN)
        assert cls.default_loss == MODEL_DEFAULTS[name]["loss"] in LOSSES
        assert cls.default_n_critic == MODEL_DEFAULTS[name]["n_critic"]
