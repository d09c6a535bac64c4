"""`TrainConfig`: every option of a training run, with per-model defaults and size presets.

A model family's presets (network widths, loss, critic steps, optimiser settings, DiffAugment
policy, EMA, run length, batch size and cadences, per size) are stated once, in its
`keras_signgan/models/<family>/presets.py`; `TrainConfig.create` fills a run's defaults
from the preset the run names.

A run directory's `config.json` is `TrainConfig.to_json()`; `--resume` rebuilds the run from
it alone. Unknown keys are errors, never silently dropped. A config.json written by an
earlier version is read through `keras_signgan.legacy`, which gives it today's keys.
"""

import dataclasses
import json

from keras_signgan import legacy
from keras_signgan.errors import ConfigError
from keras_signgan.models import family
from keras_signgan.models.biggan.presets import MINIBATCH_STD_GROUP
from keras_signgan.models.presets import check_layout, check_size, resolve_layout

STRATEGIES = ("auto", "mirrored", "multiworker")
# What `--resume` may change: the run's length and cadences, its learning rates and how it is
# distributed. Everything else shapes the networks, the data or the loss, which a checkpoint
# was trained for.
RESUMABLE = (
    "steps",
    "sample_every",
    "checkpoint_every",
    "log_every",
    "eval_every",
    "eval_samples",
    "eval_features",
    "keep_checkpoints",
    "g_lr",
    "d_lr",
    "lr_decay",
    "strategy",
)
# The transforms of layers/diff_augment.py (POLICIES there), named here without importing Keras.
DIFFAUGMENT_PARTS = ("color", "translation", "cutout")

# Evaluations during training (--eval-every) score this many generated images by default
# (fewer when the dataset has fewer), so that they stay a small share of a run. Steps have
# grown faster than evaluations: the small BigGAN's LSA16 runs of docs/results.md, scoring 800
# images with the FID Inception network every 1,000 steps, spent 11-29% of their wall time
# evaluating (on a shared CPU). `fit` logs the share it measured, and a cadence for
# EVAL_SHARE_TARGET when above.
DEFAULT_EVAL_SAMPLES = 500
EVAL_SHARE_TARGET = 0.10


@dataclasses.dataclass
class TrainConfig:
    """Everything needed to build and continue a training run.

    `None` fields are filled from the family's preset `size` (`models/<family>/presets.py`)
    by `TrainConfig.create`. `class_names` and `image_size` are recorded from the dataset when
    the run starts, so exports and evaluation need no dataset to know the classes.
    """

    model: str
    dataset: str
    size: str = "small"
    image_size: int = 32
    steps: int = None
    batch_size: int = None
    seed: int = 0
    z_dim: int = None
    loss: str = None
    n_critic: int = None
    g_lr: float = None
    d_lr: float = None
    # The share of the run, at its end, over which both learning rates fall linearly to 0
    # (training/learning_rate.py); 0: constant.
    lr_decay: float = 0.0
    beta_1: float = None
    beta_2: float = None
    diffaugment: str = None
    # DiffAugment's chance to shift, and to cut out, each image (colour always applies);
    # runs made before it read as 1, every image.
    diffaugment_probability: float = 1.0
    ema_decay: float = None
    ema_start: int = None
    truncation: float = None
    mixed_precision: bool = False
    jit_compile: str = "auto"
    strategy: str = "auto"
    sample_every: int = None
    checkpoint_every: int = None
    eval_every: int = 0
    eval_features: str = "inception"
    eval_samples: int = None
    log_every: int = None
    keep_checkpoints: int = 3
    sample_classes: int = 16
    lecam_weight: float = None
    gradient_penalty: float = None
    drift: float = None
    r1: float = None
    consistency: float = None
    mode_seeking: float = None
    class_names: list = None
    version: str = None
    # The family's layout options (`LAYOUT_OPTIONS` in models/<family>/presets.py), e.g.
    # BigGAN's {"d_downsampling": "cifar", "full_res_channels": 32}: filled from the preset
    # and the image size by `create`, so a run rebuilds the networks it was trained with.
    layout: dict = None

    @classmethod
    def create(cls, model, dataset, **overrides):
        """A config for `model` on `dataset`, defaults filled, `None` overrides ignored."""
        overrides = {k: v for k, v in overrides.items() if v is not None}
        size = check_size(overrides.get("size", cls.size), model, family(model).PRESETS)
        unknown = sorted(set(overrides) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ConfigError(f"Unknown config keys: {', '.join(unknown)}.")
        values = family(model).PRESETS[size].config_defaults()
        values.update(overrides)
        values["layout"] = resolve_layout(
            family(model), size, values.get("image_size", cls.image_size), overrides.get("layout")
        )
        config = cls(model=model, dataset=str(dataset), **values)
        config.validate()
        return config

    def validate(self):
        """Raise ConfigError for values a run cannot use."""
        check_size(self.size, self.model, family(self.model).PRESETS)
        if self.layout is None:
            raise ConfigError("layout is not set: make configs with TrainConfig.create, or read them with from_json.")
        check_layout(family(self.model).LAYOUT_OPTIONS, self.layout)
        if self.strategy not in STRATEGIES:
            raise ConfigError(f"Unknown strategy {self.strategy!r}. Valid: {', '.join(STRATEGIES)}.")
        for name in ("steps", "batch_size", "sample_every", "checkpoint_every", "log_every", "keep_checkpoints"):
            value = getattr(self, name)
            if value is None or value <= 0:
                raise ConfigError(f"--{name.replace('_', '-')} must be > 0. Received: {value}.")
        if self.layout.get("d_minibatch_std") == "on" and self.batch_size % MINIBATCH_STD_GROUP:
            raise ConfigError(
                f"--minibatch-std on compares groups of {MINIBATCH_STD_GROUP} images: --batch-size must be a "
                f"multiple of {MINIBATCH_STD_GROUP} (on each replica). Received: {self.batch_size}."
            )
        if self.eval_every < 0:
            raise ConfigError(f"--eval-every must be >= 0. Received: {self.eval_every}.")
        for name in ("gradient_penalty", "drift", "r1", "consistency", "mode_seeking"):
            value = getattr(self, name)
            if value is not None and not 0 <= value < float("inf"):
                raise ConfigError(f"--{name.replace('_', '-')} must be >= 0. Received: {value}.")
        if self.consistency and not self.diffaugment:
            raise ConfigError(
                "--consistency compares two DiffAugment views of each real image: set --diffaugment "
                '(e.g. "color,translation,cutout") or drop --consistency.'
            )
        if self.lecam_weight is not None and self.lecam_weight < 0:
            raise ConfigError(f"--lecam-weight must be >= 0. Received: {self.lecam_weight}.")
        if self.truncation is not None and self.truncation <= 0:
            raise ConfigError(f"--truncation must be > 0. Received: {self.truncation}.")
        for name in ("g_lr", "d_lr"):
            value = getattr(self, name)
            if value is not None and not (0 < value < float("inf")):
                raise ConfigError(f"--{name.replace('_', '-')} must be > 0 (e.g. 0.0002). Received: {value}.")
        if not (isinstance(self.lr_decay, (int, float)) and 0 <= self.lr_decay <= 1):
            raise ConfigError(
                f"--lr-decay must be between 0 (constant rates) and 1 (decay over the whole run). Received: {self.lr_decay}."
            )
        for name in ("beta_1", "beta_2", "ema_decay"):
            value = getattr(self, name)
            if value is not None and not 0 <= value < 1:
                raise ConfigError(f"{name} must be in [0, 1). Received: {value}.")
        if self.diffaugment:
            parts = [p.strip() for p in self.diffaugment.split(",") if p.strip()]
            unknown = [p for p in parts if p not in DIFFAUGMENT_PARTS]
            if unknown:
                raise ConfigError(
                    f"Unknown --diffaugment part {', '.join(map(repr, unknown))}. "
                    f'Valid parts: {", ".join(DIFFAUGMENT_PARTS)} (comma-separated; "" for none).'
                )
        if not (isinstance(self.diffaugment_probability, (int, float)) and 0 < self.diffaugment_probability <= 1):
            raise ConfigError(
                f"--diffaugment-probability must be in (0, 1] (1: every image). Received: {self.diffaugment_probability}."
            )
        side = self.image_size
        if not isinstance(side, int) or side < 8 or side & (side - 1):
            raise ConfigError(f"--image-size must be a power of two, at least 8 (e.g. 32). Received: {side}.")
        if self.z_dim is not None and self.z_dim <= 0:
            raise ConfigError(f"--z-dim must be > 0. Received: {self.z_dim}.")
        if self.ema_start is not None and self.ema_start < 0:
            raise ConfigError(f"ema_start must be >= 0. Received: {self.ema_start}.")
        if self.n_critic is not None and self.n_critic < 1:
            raise ConfigError(f"--n-critic must be >= 1. Received: {self.n_critic}.")
        if self.eval_samples is not None and self.eval_samples < 1:
            raise ConfigError(f"--eval-samples must be >= 1. Received: {self.eval_samples}.")
        if self.jit_compile not in ("auto", "on", "off"):
            raise ConfigError(f"jit_compile must be auto, on or off. Received: {self.jit_compile!r}.")

    def with_changes(self, **changes):
        """For `--resume`: a copy with `changes` (options in RESUMABLE) applied and validated,
        and `{name: (old, new)}` of the values that changed. Other options are refused by name."""
        changes = {k: v for k, v in changes.items() if v is not None}
        refused = sorted(set(changes) - set(RESUMABLE))
        if refused:
            flags = ", ".join(f"--{name.replace('_', '-')}" for name in refused)
            allowed = ", ".join(f"--{name.replace('_', '-')}" for name in RESUMABLE)
            raise ConfigError(
                f"--resume cannot change {flags}: the checkpoint was trained with the run's own value. "
                f"It can change {allowed}; start a new run for the others."
            )
        config = dataclasses.replace(self, **changes)
        config.validate()
        changed = {k: (getattr(self, k), v) for k, v in changes.items() if getattr(self, k) != v}
        return config, changed

    def to_dict(self):
        return dataclasses.asdict(self)

    def to_json(self):
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data):
        """The config a config.json's object describes, of this or an earlier version."""
        data = legacy.upgrade_config(data)
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(f"config.json has unknown keys: {', '.join(unknown)}.")
        missing = sorted({"model", "dataset"} - set(data))
        if missing:
            raise ConfigError(f"config.json lacks required keys: {', '.join(missing)}.")
        config = cls(**data)
        config.validate()
        return config

    @classmethod
    def from_json(cls, text):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"config.json is not valid JSON: {error}.") from None
        if not isinstance(data, dict):
            raise ConfigError("config.json must hold a JSON object.")
        return cls.from_dict(data)
