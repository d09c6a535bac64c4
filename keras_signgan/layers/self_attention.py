"""`SelfAttention`: SAGAN's non-local attention block."""

import keras
from keras import ops

from keras_signgan.layers.spectral_norm import maybe_spectral_norm


@keras.saving.register_keras_serializable(package="keras_signgan")
class SelfAttention(keras.layers.Layer):
    """Self-attention over the spatial positions of a feature map (Zhang et al. 2019, SAGAN),
    in BigGAN's form.

    Queries use `C/8` channels, keys `C/8` and values `C/2`; keys and values are 2x2
    max-pooled (four times fewer positions to attend to); the attended values are mapped back
    to `C` channels and added to the input scaled by a learned `gamma` that starts at 0, so the
    block starts as the identity. All four 1x1 convolutions are spectral-normalised when
    `use_spectral_norm`. The softmax runs in float32 under mixed precision.

    Args:
        use_spectral_norm: bool. Defaults to True.
        kernel_initializer: initializer of the 1x1 convolutions. Defaults to "orthogonal".

    Call arguments:
        inputs: (B, H, W, C) with C divisible by 8 and H, W even.

    Example:
        >>> attention = SelfAttention()
        >>> y = attention(keras.ops.ones((2, 16, 16, 32)))  # y == x at initialisation
    """

    def __init__(self, use_spectral_norm=True, kernel_initializer="orthogonal", **kwargs):
        super().__init__(**kwargs)
        self.use_spectral_norm = use_spectral_norm
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def _conv(self, filters, name):
        conv = keras.layers.Conv2D(
            filters, 1, use_bias=False, kernel_initializer=self.kernel_initializer, name=name, dtype=self.dtype_policy
        )
        return maybe_spectral_norm(conv, self.use_spectral_norm)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels % 8:
            raise ValueError(f"SelfAttention needs a channel count divisible by 8, got {channels}.")
        self.query = self._conv(channels // 8, "query")
        self.key = self._conv(channels // 8, "key")
        self.value = self._conv(channels // 2, "value")
        self.output_conv = self._conv(channels, "output")
        self.query.build(input_shape)
        self.key.build(input_shape)
        self.value.build(input_shape)
        self.output_conv.build(tuple(input_shape[:-1]) + (channels // 2,))
        self.pool = keras.layers.MaxPooling2D(2, name="pool")
        self.pool.build(input_shape)
        self.gamma = self.add_weight(name="gamma", shape=(), initializer="zeros")

    def call(self, inputs, training=None):
        shape = ops.shape(inputs)
        batch, height, width = shape[0], shape[1], shape[2]
        channels = inputs.shape[-1]
        query = ops.reshape(self.query(inputs, training=training), (batch, -1, channels // 8))
        key = ops.reshape(self.pool(self.key(inputs, training=training)), (batch, -1, channels // 8))
        value = ops.reshape(self.pool(self.value(inputs, training=training)), (batch, -1, channels // 2))
        logits = ops.matmul(ops.cast(query, "float32"), ops.transpose(ops.cast(key, "float32"), (0, 2, 1)))
        attention = ops.cast(ops.softmax(logits, axis=-1), value.dtype)
        attended = ops.reshape(ops.matmul(attention, value), (batch, height, width, channels // 2))
        out = self.output_conv(attended, training=training)
        return inputs + ops.cast(self.gamma, inputs.dtype) * ops.cast(out, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            use_spectral_norm=self.use_spectral_norm,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config
