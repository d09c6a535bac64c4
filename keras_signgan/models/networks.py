"""What the networks of every GAN family share: their inputs, preset widths, resolution
checks, and the walk to their batch norms.

Every family's networks are functional Keras models. Every generator takes `[z (B, z_dim) float32, label (B,) int32]` (inputs named `z` and
`label`) and returns `image (B, S, S, 3)` float32 in [-1, 1]; every discriminator takes
`[image (B, S, S, 3), label (B,) int32]` and returns float32 logits `(B, 1)`. The widths of
each family come from its presets (`models/<family>/presets.py`).
"""

import math

import keras

from keras_signgan.errors import ConfigError
from keras_signgan.models.presets import check_size


def preset_widths(presets, size):
    """The widths of preset `size` in a family's `PRESETS`; ConfigError for an unknown size."""
    return presets[check_size(size, presets=presets)].widths


def num_doublings(image_size, start=4):
    """How many 2x up-samplings take a `start`-pixel map to `image_size` pixels."""
    doublings = math.log2(image_size / start) if image_size >= start else -1
    if image_size < 2 * start or doublings != int(doublings):
        raise ConfigError(
            f"image_size must be a power of two and at least {2 * start}, got {image_size}; "
            "pass --image-size 32 (or 64) to resize the dataset."
        )
    return int(doublings)


def generator_inputs(z_dim):
    return keras.Input((z_dim,), dtype="float32", name="z"), keras.Input((), dtype="int32", name="label")


def discriminator_inputs(image_size):
    return (
        keras.Input((image_size, image_size, 3), dtype="float32", name="image"),
        keras.Input((), dtype="int32", name="label"),
    )


def batch_norm_layers(model):
    """Every `BatchNormalization` in `model`, reached through public attributes: the `layers`
    of the model (and of models nested in it), and the `batch_norm_layers` of layers that keep
    batch norms inside them (`ConditionalBatchNormalization`, BigGAN's `GeneratorBlock`).

    Raises ValueError when the model holds moving statistics the walk did not reach (a
    layer keeping a batch norm without listing it in `batch_norm_layers`).
    """
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found.extend(batch_norm_layers(layer))
        else:
            found.extend(getattr(layer, "batch_norm_layers", []))
    held = [v.path for v in model.non_trainable_variables if v.path.endswith("moving_mean")]
    if len(held) != len(found):
        raise ValueError(
            f"{model.name} has {len(held)} batch-norm moving means but {len(found)} batch norms were found: "
            "a layer keeping a BatchNormalization inside must list it in a `batch_norm_layers` property."
        )
    return found
