"""What a size preset is, and the table `signgan fit --help` prints from the presets.

Every family states its presets in one table, `keras_signgan/models/<family>/presets.py`
(`PRESETS`: `tiny`, `small`, `base`, and `long` where one was measured), as keras-hub states a model's presets: a preset's
network widths, its training defaults, its run length and batch, its EMA, and a one-line
description with the measured cost where one was measured. `TrainConfig` fills a run's
defaults from it, the family's networks read their widths from it, and the CLI's help
prints it, so the three cannot drift apart. Nothing here imports Keras or TensorFlow.
"""

import dataclasses

from keras_signgan.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Preset:
    """One size preset of one family.

    Args:
        description: str. One line: what the preset is for and what a run costs.
        widths: dict. The network widths the family's `networks.py` reads.
        training: dict. The family's training defaults (loss, critic steps, optimizer
            settings and learning-rate decay, DiffAugment policy, LeCam weight):
            `TrainConfig` field -> value.
        steps: int. Generator steps of a run.
        batch_size: int. Global batch size.
        ema_decay: float or None. Decay of the generator's weight average; None keeps none.
        ema_start: int. Step before which the average copies the generator.
        sample_every, checkpoint_every, log_every: int. Cadences of a run, in steps.
    """

    description: str
    widths: dict
    training: dict
    steps: int
    batch_size: int
    ema_decay: float
    ema_start: int
    sample_every: int
    checkpoint_every: int
    log_every: int

    def config_defaults(self):
        """The `TrainConfig` fields this preset fills in (all but the layout)."""
        return dict(
            self.training,
            steps=self.steps,
            batch_size=self.batch_size,
            ema_decay=self.ema_decay,
            ema_start=self.ema_start,
            sample_every=self.sample_every,
            checkpoint_every=self.checkpoint_every,
            log_every=self.log_every,
        )

    def summary(self):
        """`10,000 steps, batch 32, EMA 0.999 from step 500, learning rates to 0 over the last 50%`
        (the figures of the help table)."""
        ema = f"EMA {self.ema_decay:g} from step {self.ema_start:,}" if self.ema_decay is not None else "no EMA"
        decay = self.training.get("lr_decay") or 0
        rates = f", learning rates to 0 over the last {decay:.0%}" if decay else ""
        return f"{self.steps:,} steps, batch {self.batch_size}, {ema}{rates}"


def presets_table(families):
    """The presets of `families` (`{name: family module with PRESETS}`) as help text: one
    line of figures and one of description per preset, kept as written by click (`\\b`)."""
    paragraphs = []
    for name, family in families.items():
        lines = ["\b"]
        for size, preset in family.PRESETS.items():
            lines.append(f"  {name} {size}: {preset.summary()}")
            lines.append(f"      {preset.description}")
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


# Every family has tiny, small and base; `long` (the small networks trained about four times
# as long) only where such a run was measured (biggan).
SIZES = ("tiny", "small", "long", "base")
# The losses models/losses.py computes, named here so presets, configs and the CLI can name
# them without Keras.
LOSSES = ("bce", "wasserstein", "hinge")


def check_size(size, model=None, presets=None):
    """Return `size` if it is a size preset (of `model`, whose `presets` are given), else raise
    ConfigError listing the valid ones."""
    valid = tuple(presets) if presets is not None else SIZES
    if size not in valid:
        whose = f" for {model}" if model else ""
        raise ConfigError(f"Unknown size preset {size!r}{whose}. Valid sizes: {', '.join(valid)}.")
    return size


def check_loss(kind):
    """Return `kind` if it is a known loss, else raise ConfigError listing them."""
    if kind not in LOSSES:
        raise ConfigError(f"Unknown loss {kind!r}. Valid losses: {', '.join(LOSSES)}.")
    return kind


def resolve_layout(family, size, image_size, layout=None):
    """The layout options of a network build: the family's defaults for `size` and
    `image_size` (its `default_layout`), overridden by `layout`; checked by `check_layout`.

    Layout options name the variants of a family's networks that runs made by earlier
    versions still use (BigGAN's discriminator down-sampling, WCGAN's up-sampling, ...); a
    run records them in its config.json, and `keras_signgan.legacy` gives the options of
    config.json files written before they were recorded."""
    resolved = dict(family.default_layout(check_size(size, presets=family.PRESETS), image_size))
    resolved.update(layout or {})
    return check_layout(family.LAYOUT_OPTIONS, resolved)


def check_layout(options, layout):
    """Return `layout` if it sets exactly the layout `options` (`{name: allowed values, or
    int for a positive integer}`), each to an allowed value; else raise ConfigError."""
    if not isinstance(layout, dict):
        raise ConfigError(f"layout must be a JSON object of layout options. Received: {layout!r}.")
    valid = ", ".join(options) or "none"
    unknown = sorted(set(layout) - set(options))
    if unknown:
        raise ConfigError(f"Unknown layout option {', '.join(unknown)} for this model. Its options: {valid}.")
    missing = sorted(set(options) - set(layout))
    if missing:
        raise ConfigError(f"layout lacks {', '.join(missing)}. The model's options: {valid}.")
    for name, allowed in options.items():
        value = layout[name]
        if allowed is int:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"layout {name} must be a positive integer. Received: {value!r}.")
        elif value not in allowed:
            raise ConfigError(f"layout {name} must be one of {', '.join(allowed)}. Received: {value!r}.")
    return layout
