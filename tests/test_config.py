import json

import pytest

from keras_signgan.config import TrainConfig
from keras_signgan.errors import ConfigError
from keras_signgan.legacy import revision_layout
from keras_signgan.models import MODEL_DEFAULTS


def test_create_fills_model_and_size_defaults_and_overrides_win():
    config = TrainConfig.create("biggan", "lsa16", size="tiny", batch_size=4, loss="wasserstein", g_lr=None)
    assert config.batch_size == 4 and config.loss == "wasserstein"
    assert config.g_lr == MODEL_DEFAULTS["biggan"]["g_lr"]  # None overrides are ignored
    assert config.steps == 12 and config.ema_decay == 0.999


def test_json_round_trip():
    config = TrainConfig.create("wcgan", "lsa64", size="small", seed=3)
    config.class_names = ["a", "b"]
    assert TrainConfig.from_json(config.to_json()) == config


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(model="stylegan"), "Valid models: basic, wcgan, biggan"),
        (dict(size="huge"), "Valid sizes"),
        (dict(steps=0), "--steps must be > 0"),
        (dict(batch_size=-1), "--batch-size must be > 0"),
        (dict(truncation=0.0), "--truncation must be > 0"),
        (dict(colour="red"), "Unknown config keys: colour"),
        (dict(g_lr=-0.001), "--g-lr must be > 0"),
        (dict(d_lr=0.0), "--d-lr must be > 0"),
        (dict(beta_1=1.0), r"beta_1 must be in \[0, 1\)"),
        (dict(beta_2=-0.1), r"beta_2 must be in \[0, 1\)"),
        (dict(ema_decay=1.5), r"ema_decay must be in \[0, 1\)"),
        (dict(diffaugment="color,colour"), "Unknown --diffaugment part 'colour'"),
        (dict(diffaugment_probability=0.0), r"--diffaugment-probability must be in \(0, 1\]"),
        (dict(diffaugment_probability=1.5), r"--diffaugment-probability must be in \(0, 1\]"),
        (dict(image_size=12), "--image-size must be a power of two"),
    ],
)
def test_bad_values_name_the_option(kwargs, message):
    model = kwargs.pop("model", "biggan")
    with pytest.raises(ConfigError, match=message):
        TrainConfig.create(model, "lsa16", **kwargs)


def test_config_json_with_unknown_or_missing_keys_is_rejected():
    data = TrainConfig.create("basic", "lsa16").to_dict()
    with pytest.raises(ConfigError, match="unknown keys: extra"):
        TrainConfig.from_json(json.dumps({**data, "extra": 1}))
    del data["model"]
    with pytest.raises(ConfigError, match="lacks required keys: model"):
        TrainConfig.from_json(json.dumps(data))
    with pytest.raises(ConfigError, match="not valid JSON"):
        TrainConfig.from_json("{")


def test_config_json_from_before_diffaugment_probability_reads_as_every_image():
    data = TrainConfig.create("biggan", "lsa16", size="tiny", diffaugment_probability=0.5).to_dict()
    assert TrainConfig.from_dict(dict(data)).diffaugment_probability == 0.5
    del data["diffaugment_probability"]
    assert TrainConfig.from_dict(data).diffaugment_probability == 1.0


def test_ema_decay_follows_the_size_preset_for_models_that_keep_one():
    assert TrainConfig.create("biggan", "lsa16", size="small").ema_decay == 0.999
    assert TrainConfig.create("biggan", "lsa16", size="base").ema_decay == 0.9999
    assert TrainConfig.create("biggan", "lsa16", size="small", ema_decay=0.9).ema_decay == 0.9
    assert TrainConfig.create("wcgan", "lsa16", size="small").ema_decay == 0.999
    assert TrainConfig.create("wcgan", "lsa16", size="tiny").ema_decay is None
    assert TrainConfig.create("basic", "lsa16", size="small").ema_decay is None


def test_config_json_from_before_layout_revisions_reads_as_revision_1():
    config = TrainConfig.create("biggan", "lsa16", size="tiny")
    assert config.layout == revision_layout("biggan", "tiny", 32, 3)
    data = config.to_dict()
    del data["layout"]
    assert TrainConfig.from_dict(data).layout == revision_layout("biggan", "tiny", 32, 1)
    assert TrainConfig.from_dict(config.to_dict()).layout == revision_layout("biggan", "tiny", 32, 3)


@pytest.mark.parametrize(
    "model, revision, layout",
    [
        (
            "biggan",
            1,
            {"d_downsampling": "imagenet", "full_res_channels": 64, "d_channels": 64, "d_minibatch_std": "off"},
        ),
        ("biggan", 2, {"d_downsampling": "cifar", "full_res_channels": 32, "d_channels": 64, "d_minibatch_std": "off"}),
        ("biggan", 3, {"d_downsampling": "cifar", "full_res_channels": 32, "d_channels": 64, "d_minibatch_std": "off"}),
        ("wcgan", 1, {"g_upsampling": "transposed", "critic_norm": "spectral"}),
        ("wcgan", 2, {"g_upsampling": "transposed", "critic_norm": "spectral"}),
        ("wcgan", 3, {"g_upsampling": "resize-conv", "critic_norm": "spectral"}),
        ("basic", 2, {}),
    ],
)
def test_an_old_config_json_gets_the_layout_options_of_its_revision(model, revision, layout):
    data = TrainConfig.create(model, "lsa16", size="small").to_dict()
    del data["layout"]
    assert TrainConfig.from_dict({**data, "arch_revision": revision}).layout == layout
    # Today's runs record the newest revision's layout, new WCGANs an unnormalised critic (held
    # by the gradient penalty), and new small BigGANs a discriminator twice as wide.
    today = revision_layout(model, "small", 32, 3)
    if model == "wcgan":
        today["critic_norm"] = "none"
    if model == "biggan":
        today["d_channels"] = 128
    assert TrainConfig.create(model, "lsa16", size="small").layout == today


def test_layout_options_are_checked_and_override_the_preset_one_by_one():
    config = TrainConfig.create("biggan", "lsa16", size="small", layout={"d_downsampling": "imagenet"})
    assert config.layout == {
        "d_downsampling": "imagenet",
        "full_res_channels": 32,
        "d_channels": 128,
        "d_minibatch_std": "off",
    }
    assert TrainConfig.create("biggan", "lsa16", size="small", image_size=64).layout["d_downsampling"] == "imagenet"
    with pytest.raises(ConfigError, match="layout d_downsampling must be one of cifar, imagenet"):
        TrainConfig.create("biggan", "lsa16", layout={"d_downsampling": "4x4"})
    with pytest.raises(ConfigError, match="Unknown layout option g_upsampling"):
        TrainConfig.create("biggan", "lsa16", layout={"g_upsampling": "transposed"})
    data = TrainConfig.create("wcgan", "lsa16").to_dict()
    with pytest.raises(ConfigError, match="layout lacks g_upsampling"):
        TrainConfig.from_dict({**data, "layout": {}})
    # A WCGAN layout recorded before critic_norm existed: its critic was spectrally normalised.
    old = {**data, "layout": {"g_upsampling": "transposed"}}
    assert TrainConfig.from_dict(old).layout == {"g_upsampling": "transposed", "critic_norm": "spectral"}
    # A BigGAN layout recorded before d_channels existed: its discriminator was as wide as its
    # generator (4*ch of its size), whatever its preset's discriminator is today.
    for size, channels in (("small", 64), ("long", 64), ("base", 256)):
        data = TrainConfig.create("biggan", "lsa16", size=size).to_dict()
        old = {**data, "layout": {"d_downsampling": "cifar", "full_res_channels": 32}}
        assert TrainConfig.from_dict(old).layout["d_channels"] == channels
    with pytest.raises(ConfigError, match="layout d_channels must be a positive integer"):
        TrainConfig.create("biggan", "lsa16", layout={"d_channels": 0})
    # One recorded before d_minibatch_std existed: its discriminator had none.
    data = TrainConfig.create("biggan", "lsa16", layout={"d_minibatch_std": "on"}).to_dict()
    assert data["layout"]["d_minibatch_std"] == "on"
    old = {**data, "layout": {k: v for k, v in data["layout"].items() if k != "d_minibatch_std"}}
    assert TrainConfig.from_dict(old).layout["d_minibatch_std"] == "off"
    with pytest.raises(ConfigError, match="--batch-size must be a multiple of 4"):
        TrainConfig.create("biggan", "lsa16", batch_size=30, layout={"d_minibatch_std": "on"})
    unnormalised = TrainConfig.create("wcgan", "lsa16", layout={"critic_norm": "none"})
    assert TrainConfig.from_dict(unnormalised.to_dict()).layout["critic_norm"] == "none"
    with pytest.raises(ConfigError, match="layout critic_norm must be one of spectral, none"):
        TrainConfig.create("wcgan", "lsa16", layout={"critic_norm": "clip"})


def test_resume_changes_only_what_is_safe():
    config = TrainConfig.create("biggan", "lsa16", size="tiny")
    changed_config, changed = config.with_changes(steps=20, g_lr=0.001, d_lr=None)
    assert changed_config.steps == 20 and changed == {"steps": (12, 20), "g_lr": (config.g_lr, 0.001)}
    with pytest.raises(ConfigError, match="--resume cannot change --batch-size, --z-dim"):
        config.with_changes(z_dim=8, batch_size=4)
    with pytest.raises(ConfigError, match="--g-lr must be > 0"):
        config.with_changes(g_lr=-1.0)
