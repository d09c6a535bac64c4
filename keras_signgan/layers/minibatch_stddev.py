"""`MinibatchStandardDeviation`: Progressive GAN's variation feature for discriminators."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_signgan")
class MinibatchStandardDeviation(keras.layers.Layer):
    """Appends one channel holding how much a group of images differs (Karras et al. 2018,
    Progressive GAN; StyleGAN2 keeps it): the standard deviation of every feature over
    `group_size` consecutive images of the batch, averaged over features and positions,
    broadcast to the group's maps. A discriminator that sees it can tell a batch of near
    copies from a varied one.

    Groups are consecutive, so a batch made of a real half and a generated half, each a
    multiple of `group_size`, never mixes the two in one group.

    Args:
        group_size: int. Images per group; the batch must be a multiple of it. Defaults to 4.

    Call arguments:
        inputs: (B, H, W, C), B a multiple of `group_size`.

    Example:
        >>> layer = MinibatchStandardDeviation()
        >>> y = layer(keras.ops.ones((8, 4, 4, 16)))  # (8, 4, 4, 17); the new channel ~0 here (copies)
    """

    def __init__(self, group_size=4, **kwargs):
        super().__init__(**kwargs)
        if group_size < 1:
            raise ValueError(f"group_size must be at least 1. Received: {group_size}")
        self.group_size = group_size

    def call(self, inputs):
        batch = inputs.shape[0]
        if batch is not None and batch % self.group_size:
            raise ValueError(
                f"MinibatchStandardDeviation needs a batch that is a multiple of {self.group_size}. "
                f"Received a batch of {batch}."
            )
        _, height, width, channels = inputs.shape
        groups = ops.reshape(ops.cast(inputs, "float32"), (-1, self.group_size, height, width, channels))
        spread = ops.sqrt(ops.var(groups, axis=1) + 1e-8)
        spread = ops.repeat(ops.mean(spread, axis=(1, 2, 3), keepdims=True), self.group_size, axis=0)
        feature = ops.cast(spread, inputs.dtype) * ops.ones_like(inputs[..., :1])
        return ops.concatenate([inputs, feature], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] + 1,)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}
