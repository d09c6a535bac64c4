"""BigGAN's residual blocks: `GeneratorBlock` (up-sampling, conditional BN) and
`DiscriminatorBlock` (down-sampling)."""

import keras
from keras import ops

from keras_signgan.layers import ConditionalBatchNormalization, NearestUpSampling2D, UpsampleConv2D, maybe_spectral_norm


def _conv(filters, kernel_size, name, use_spectral_norm, dtype, upsample=False):
    """A 'same' convolution, spectrally normalised when asked; `upsample`: a 3x3 one after 2x
    nearest up-sampling (`UpsampleConv2D`, the same variables as the Conv2D it stands for)."""
    layer = UpsampleConv2D if upsample else keras.layers.Conv2D
    conv = layer(filters, kernel_size, padding="same", kernel_initializer="orthogonal", name=name, dtype=dtype)
    return maybe_spectral_norm(conv, use_spectral_norm)


@keras.saving.register_keras_serializable(package="keras_signgan")
class GeneratorBlock(keras.layers.Layer):
    """BigGAN generator block: `CBN -> ReLU -> upsample -> conv3x3 -> CBN -> ReLU -> conv3x3`,
    plus a shortcut `conv1x1 -> upsample` (equal to `upsample -> conv1x1`, at a quarter of
    the cost). `upsample -> conv3x3` runs as one `UpsampleConv2D` (the same kernel, folded
    per output phase: 16 instead of 36 multiply-adds per pixel and channel pair). Both CBNs
    take the same condition (the shared class embedding joined with this block's chunk of
    the latent).

    Args:
        filters: int. Output channels.
        upsample: bool. Double height and width (nearest neighbour). Defaults to True.
        use_spectral_norm: bool. Spectral-normalise the convolutions. Defaults to True.

    Call arguments:
        inputs: `[x (B, H, W, C), condition (B, D)]`.
        training: bool.
    """

    def __init__(self, filters, upsample=True, use_spectral_norm=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.upsample = upsample
        self.use_spectral_norm = use_spectral_norm
        dtype = self.dtype_policy
        self.norm_1 = ConditionalBatchNormalization(use_spectral_norm=use_spectral_norm, name="cbn_1", dtype=dtype)
        self.norm_2 = ConditionalBatchNormalization(use_spectral_norm=use_spectral_norm, name="cbn_2", dtype=dtype)
        self.conv_1 = _conv(filters, 3, "conv_1", use_spectral_norm, dtype, upsample=upsample)
        self.conv_2 = _conv(filters, 3, "conv_2", use_spectral_norm, dtype)
        self.shortcut = _conv(filters, 1, "shortcut", use_spectral_norm, dtype)
        self.resize = NearestUpSampling2D(2, name="upsample") if upsample else None

    def build(self, input_shape):
        x_shape, condition_shape = input_shape
        scale = 2 if self.upsample else 1
        out_shape = (
            x_shape[0],
            None if x_shape[1] is None else x_shape[1] * scale,
            None if x_shape[2] is None else x_shape[2] * scale,
            self.filters,
        )
        self.norm_1.build((x_shape, condition_shape))
        self.conv_1.build(x_shape)  # an UpsampleConv2D when up-sampling: it takes the input's size
        self.norm_2.build((out_shape, condition_shape))
        self.conv_2.build(out_shape)
        self.shortcut.build(x_shape)
        if self.resize is not None:
            self.resize.build(x_shape)

    @property
    def batch_norm_layers(self):
        """The BatchNormalization layers inside this block (see `ConditionalGAN.refresh_ema_statistics`)."""
        return self.norm_1.batch_norm_layers + self.norm_2.batch_norm_layers

    def _up(self, x):
        return self.resize(x) if self.resize is not None else x

    def call(self, inputs, training=None):
        x, condition = inputs
        h = ops.relu(self.norm_1([x, condition], training=training))
        h = self.conv_1(h, training=training)
        h = ops.relu(self.norm_2([h, condition], training=training))
        h = self.conv_2(h, training=training)
        # A 1x1 convolution commutes with nearest up-sampling: convolving first computes
        # the same pixels on a quarter of them.
        return h + ops.cast(self._up(self.shortcut(x, training=training)), h.dtype)

    def compute_output_shape(self, input_shape):
        x_shape = input_shape[0]
        scale = 2 if self.upsample else 1
        return (
            x_shape[0],
            None if x_shape[1] is None else x_shape[1] * scale,
            None if x_shape[2] is None else x_shape[2] * scale,
            self.filters,
        )

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, upsample=self.upsample, use_spectral_norm=self.use_spectral_norm)
        return config


@keras.saving.register_keras_serializable(package="keras_signgan")
class DiscriminatorBlock(keras.layers.Layer):
    """BigGAN discriminator block: `[ReLU] -> conv3x3 -> ReLU -> conv3x3 -> [avgpool]`, plus a
    shortcut `conv1x1 -> [avgpool]` (the identity when nothing changes shape).

    Args:
        filters: int. Output channels.
        downsample: bool. Halve height and width (2x2 average pooling). Defaults to True.
        preactivation: bool. Apply ReLU to the input first; False for the block that sees
            the image (whose shortcut then pools before its convolution). Defaults to True.
        use_spectral_norm: bool. Defaults to True.
    """

    def __init__(self, filters, downsample=True, preactivation=True, use_spectral_norm=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.downsample = downsample
        self.preactivation = preactivation
        self.use_spectral_norm = use_spectral_norm
        dtype = self.dtype_policy
        self.conv_1 = _conv(filters, 3, "conv_1", use_spectral_norm, dtype)
        self.conv_2 = _conv(filters, 3, "conv_2", use_spectral_norm, dtype)
        self.shortcut = None
        self.pool = keras.layers.AveragePooling2D(2, name="pool") if downsample else None

    def build(self, input_shape):
        in_shape = tuple(input_shape)
        out_shape = in_shape[:3] + (self.filters,)
        self.conv_1.build(in_shape)
        self.conv_2.build(out_shape)
        if self.pool is not None:
            self.pool.build(out_shape)
        if self.downsample or in_shape[-1] != self.filters:
            self.shortcut = _conv(self.filters, 1, "shortcut", self.use_spectral_norm, self.dtype_policy)
            self.shortcut.build(in_shape)

    def _down(self, x):
        return self.pool(x) if self.pool is not None else x

    def call(self, inputs, training=None):
        x = inputs
        h = ops.relu(x) if self.preactivation else x
        h = self.conv_1(h, training=training)
        h = self.conv_2(ops.relu(h), training=training)
        h = self._down(h)
        if self.shortcut is None:
            return h + ops.cast(x, h.dtype)
        if self.preactivation:
            skip = self._down(self.shortcut(x, training=training))
        else:
            skip = self.shortcut(self._down(x), training=training)
        # Spectrally normalised layers compute in float32; under mixed precision the two
        # paths can differ in dtype.
        return h + ops.cast(skip, h.dtype)

    def compute_output_shape(self, input_shape):
        scale = 2 if self.downsample else 1
        return (
            input_shape[0],
            None if input_shape[1] is None else input_shape[1] // scale,
            None if input_shape[2] is None else input_shape[2] // scale,
            self.filters,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            downsample=self.downsample,
            preactivation=self.preactivation,
            use_spectral_norm=self.use_spectral_norm,
        )
        return config


@keras.saving.register_keras_serializable(package="keras_signgan")
class ProjectionHead(keras.layers.Layer):
    """The projection discriminator's output (Miyato and Koyama 2018):
    `logit = linear(h) + <embed(label), h>`, both spectral-normalised when asked.

    The class embedding is a bias-free Dense layer over the one-hot label, so that
    `keras.layers.SpectralNormalization` applies to it unchanged.

    Args:
        num_classes: int.
        use_spectral_norm: bool. Defaults to True.

    Call arguments:
        inputs: `[h (B, C) features, label (B,) int]`. Returns (B, 1) float32 logits.
    """

    def __init__(self, num_classes, use_spectral_norm=True, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.use_spectral_norm = use_spectral_norm
        self.linear = maybe_spectral_norm(
            keras.layers.Dense(1, kernel_initializer="orthogonal", name="linear", dtype=self.dtype_policy),
            use_spectral_norm,
        )

    def build(self, input_shape):
        features_shape, _ = input_shape
        channels = features_shape[-1]
        self.linear.build(features_shape)
        self.embedding = maybe_spectral_norm(
            keras.layers.Dense(
                channels, use_bias=False, kernel_initializer="orthogonal", name="embedding", dtype=self.dtype_policy
            ),
            self.use_spectral_norm,
        )
        self.embedding.build((None, self.num_classes))

    def call(self, inputs, training=None):
        features, labels = inputs
        one_hot = ops.one_hot(ops.cast(labels, "int32"), self.num_classes, dtype=features.dtype)
        embedded = ops.cast(self.embedding(one_hot, training=training), features.dtype)
        logits = ops.cast(self.linear(features, training=training), features.dtype)
        projection = ops.sum(embedded * features, axis=-1, keepdims=True)
        return ops.cast(logits + projection, "float32")

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 1)

    def get_config(self):
        config = super().get_config()
        config.update(num_classes=self.num_classes, use_spectral_norm=self.use_spectral_norm)
        return config
