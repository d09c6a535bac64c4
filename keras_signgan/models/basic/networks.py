"""The basic GAN's networks: multilayer perceptrons conditioned by a concatenated one-hot label
(Goodfellow et al. 2014; Mirza and Osindero 2014)."""

import keras
from keras import ops

from keras_signgan.models.basic import presets
from keras_signgan.models.networks import discriminator_inputs, generator_inputs, preset_widths
from keras_signgan.models.presets import resolve_layout


def build_basic_generator(num_classes, image_size=32, z_dim=None, size="small", layout=None):
    """MLP generator: `[z, one_hot(label)] -> Dense(h) -> Dense(2h) -> Dense(S*S*3, tanh)`.
    The basic GAN has no layout options (`layout` must be empty or None)."""
    widths = preset_widths(presets.PRESETS, size)
    resolve_layout(presets, size, image_size, layout)
    z_dim = z_dim or widths["z_dim"]
    hidden = widths["hidden"]
    z, label = generator_inputs(z_dim)
    x = keras.layers.Concatenate()([z, ops.one_hot(label, num_classes)])
    x = keras.layers.Dense(hidden, name="hidden_1")(x)
    x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Dense(2 * hidden, name="hidden_2")(x)
    x = keras.layers.BatchNormalization(name="hidden_2_bn")(x)
    x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Dense(image_size * image_size * 3, name="to_pixels")(x)
    x = keras.layers.Activation("tanh", dtype="float32")(x)
    image = keras.layers.Reshape((image_size, image_size, 3), name="image", dtype="float32")(x)
    return keras.Model([z, label], image, name="basic_generator")


def build_basic_discriminator(num_classes, image_size=32, size="small", layout=None):
    """MLP discriminator: `[flatten(image), one_hot(label)] -> Dense(2h) -> Dense(h) -> Dense(1)`."""
    hidden = preset_widths(presets.PRESETS, size)["hidden"]
    resolve_layout(presets, size, image_size, layout)
    image, label = discriminator_inputs(image_size)
    x = keras.layers.Concatenate()([keras.layers.Flatten()(image), ops.one_hot(label, num_classes)])
    x = keras.layers.Dense(2 * hidden, name="hidden_1")(x)
    x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Dense(hidden, name="hidden_2")(x)
    x = keras.layers.LeakyReLU(0.2)(x)
    logits = keras.layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model([image, label], logits, name="basic_discriminator")
