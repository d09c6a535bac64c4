"""The family registry: one table of names, presets (no Keras) and, lazily, classes."""

import pytest

from keras_signgan.config import TrainConfig
from keras_signgan.errors import ConfigError
from keras_signgan.models import FAMILIES, MODEL_DEFAULTS, MODEL_NAMES, check_model, model_class
from keras_signgan.models.gan import ConditionalGAN
from keras_signgan.models.presets import LOSSES, SIZES, check_size


def test_every_family_has_a_class_with_its_defaults():
    assert MODEL_NAMES == tuple(FAMILIES)
    for name in MODEL_NAMES:
        cls = model_class(name)
        assert issubclass(cls, ConditionalGAN)
        assert cls.default_loss == MODEL_DEFAULTS[name]["loss"] in LOSSES
        assert cls.default_n_critic == MODEL_DEFAULTS[name]["n_critic"]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_family_states_every_size_preset_and_configs_follow_them(name):
    presets = FAMILIES[name].PRESETS
    assert {"tiny", "small", "base"} <= set(presets) and tuple(presets) == tuple(s for s in SIZES if s in presets)
    for size, preset in presets.items():
        assert preset.description and preset.widths["z_dim"] > 0
        config = TrainConfig.create(name, "lsa16", size=size)
        assert (config.steps, config.batch_size, config.ema_decay, config.ema_start) == (
            preset.steps,
            preset.batch_size,
            preset.ema_decay,
            preset.ema_start,
        )
        assert config.loss == preset.training["loss"] and config.g_lr == preset.training["g_lr"]
        assert config.lr_decay == preset.training.get("lr_decay", 0.0)


def test_unknown_model_and_size_have_one_message_each():
    with pytest.raises(ConfigError, match=r"Unknown model 'gan'\. Valid models: basic, wcgan, biggan\."):
        check_model("gan")
    with pytest.raises(ConfigError, match=r"Unknown size preset 'huge'\. Valid sizes: tiny, small, long, base\."):
        check_size("huge")
    with pytest.raises(ConfigError, match=r"Unknown size preset 'long' for wcgan\. Valid sizes: tiny, small, base\."):
        TrainConfig.create("wcgan", "lsa64", size="long")


def test_the_long_biggan_preset_trains_the_small_networks_longer():
    small, long = (TrainConfig.create("biggan", "lsa64", size=size) for size in ("small", "long"))
    assert FAMILIES["biggan"].PRESETS["long"].widths == FAMILIES["biggan"].PRESETS["small"].widths
    assert long.layout == small.layout and long.layout["d_channels"] == 128
    assert long.steps > small.steps
    assert (long.batch_size, long.ema_decay, long.g_lr) == (small.batch_size, small.ema_decay, small.g_lr)
    # Both decay their learning rates over the run's second half.
    assert small.lr_decay == long.lr_decay == 0.5
