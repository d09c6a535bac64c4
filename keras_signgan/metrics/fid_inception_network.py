"""The FID Inception network (TensorFlow's 2015-12-05 Inception graph) in Keras layers.

Rebuilt in the shape pytorch-fid's `fid_inception_v3` describes (torchvision's Inception v3
with its blocks patched as `FIDInceptionA/C/E_1/E_2`):

- every convolution without bias, then batch normalisation without scale (epsilon 0.001)
  and ReLU;
- the pooling branch of every Inception A, C and E block is a 3x3 average pool whose
  average excludes the zero padding (TensorFlow's "SAME" average pool, which Keras'
  `AveragePooling2D(padding="same")` also computes), except the last block (Mixed_7c),
  which max-pools;
- output: the 2,048-d global average of the last block, the features FID uses.

`keras_signgan.metrics.fid_inception` fills it with the published weights and caches it.
"""

import keras

INPUT_SIZE = 299
FEATURE_DIM = 2048
BN_EPSILON = 1e-3


def _conv(x, filters, kernel, name, strides=1, padding="valid"):
    """Convolution (no bias), batch norm (no scale) and ReLU, named `<name>_conv/_bn/_relu`."""
    x = keras.layers.Conv2D(
        filters, kernel, strides=strides, padding=padding, use_bias=False, dtype="float32", name=f"{name}_conv"
    )(x)
    x = keras.layers.BatchNormalization(epsilon=BN_EPSILON, scale=False, dtype="float32", name=f"{name}_bn")(x)
    return keras.layers.Activation("relu", dtype="float32", name=f"{name}_relu")(x)


def _concat(tensors, name):
    return keras.layers.Concatenate(axis=-1, dtype="float32", name=name)(tensors)


def _avg_pool(x, name):
    # TensorFlow's SAME average pool divides by the number of real (unpadded) inputs,
    # like torch's count_include_pad=False in pytorch-fid's FIDInception blocks.
    return keras.layers.AveragePooling2D(3, strides=1, padding="same", dtype="float32", name=name)(x)


def _max_pool(x, name, strides=2, padding="valid"):
    return keras.layers.MaxPooling2D(3, strides=strides, padding=padding, dtype="float32", name=name)(x)


def _block_a(x, pool_features, name):
    b1 = _conv(x, 64, 1, f"{name}_branch1x1")
    b5 = _conv(x, 48, 1, f"{name}_branch5x5_1")
    b5 = _conv(b5, 64, 5, f"{name}_branch5x5_2", padding="same")
    b3 = _conv(x, 64, 1, f"{name}_branch3x3dbl_1")
    b3 = _conv(b3, 96, 3, f"{name}_branch3x3dbl_2", padding="same")
    b3 = _conv(b3, 96, 3, f"{name}_branch3x3dbl_3", padding="same")
    bp = _conv(_avg_pool(x, f"{name}_pool"), pool_features, 1, f"{name}_branch_pool")
    return _concat([b1, b5, b3, bp], name)


def _block_b(x, name):
    b3 = _conv(x, 384, 3, f"{name}_branch3x3", strides=2)
    bd = _conv(x, 64, 1, f"{name}_branch3x3dbl_1")
    bd = _conv(bd, 96, 3, f"{name}_branch3x3dbl_2", padding="same")
    bd = _conv(bd, 96, 3, f"{name}_branch3x3dbl_3", strides=2)
    return _concat([b3, bd, _max_pool(x, f"{name}_pool")], name)


def _block_c(x, channels_7x7, name):
    c = channels_7x7
    b1 = _conv(x, 192, 1, f"{name}_branch1x1")
    b7 = _conv(x, c, 1, f"{name}_branch7x7_1")
    b7 = _conv(b7, c, (1, 7), f"{name}_branch7x7_2", padding="same")
    b7 = _conv(b7, 192, (7, 1), f"{name}_branch7x7_3", padding="same")
    bd = _conv(x, c, 1, f"{name}_branch7x7dbl_1")
    bd = _conv(bd, c, (7, 1), f"{name}_branch7x7dbl_2", padding="same")
    bd = _conv(bd, c, (1, 7), f"{name}_branch7x7dbl_3", padding="same")
    bd = _conv(bd, c, (7, 1), f"{name}_branch7x7dbl_4", padding="same")
    bd = _conv(bd, 192, (1, 7), f"{name}_branch7x7dbl_5", padding="same")
    bp = _conv(_avg_pool(x, f"{name}_pool"), 192, 1, f"{name}_branch_pool")
    return _concat([b1, b7, bd, bp], name)


def _block_d(x, name):
    b3 = _conv(x, 192, 1, f"{name}_branch3x3_1")
    b3 = _conv(b3, 320, 3, f"{name}_branch3x3_2", strides=2)
    b7 = _conv(x, 192, 1, f"{name}_branch7x7x3_1")
    b7 = _conv(b7, 192, (1, 7), f"{name}_branch7x7x3_2", padding="same")
    b7 = _conv(b7, 192, (7, 1), f"{name}_branch7x7x3_3", padding="same")
    b7 = _conv(b7, 192, 3, f"{name}_branch7x7x3_4", strides=2)
    return _concat([b3, b7, _max_pool(x, f"{name}_pool")], name)


def _block_e(x, name, max_pool):
    b1 = _conv(x, 320, 1, f"{name}_branch1x1")
    b3 = _conv(x, 384, 1, f"{name}_branch3x3_1")
    b3 = _concat(
        [
            _conv(b3, 384, (1, 3), f"{name}_branch3x3_2a", padding="same"),
            _conv(b3, 384, (3, 1), f"{name}_branch3x3_2b", padding="same"),
        ],
        f"{name}_branch3x3",
    )
    bd = _conv(x, 448, 1, f"{name}_branch3x3dbl_1")
    bd = _conv(bd, 384, 3, f"{name}_branch3x3dbl_2", padding="same")
    bd = _concat(
        [
            _conv(bd, 384, (1, 3), f"{name}_branch3x3dbl_3a", padding="same"),
            _conv(bd, 384, (3, 1), f"{name}_branch3x3dbl_3b", padding="same"),
        ],
        f"{name}_branch3x3dbl",
    )
    # The 2015 graph max-pools in its last block (pytorch-fid's FIDInceptionE_2).
    pooled = _max_pool(x, f"{name}_pool", strides=1, padding="same") if max_pool else _avg_pool(x, f"{name}_pool")
    bp = _conv(pooled, 192, 1, f"{name}_branch_pool")
    return _concat([b1, b3, bd, bp], name)


def fid_inception_v3(name="fid_inception_v3"):
    """The FID Inception v3 as a Keras functional model, randomly initialised.

    Takes (B, 299, 299, 3) float32 images in [-1, 1] and returns (B, 2048) float32
    features (the last block's global average), whatever the global dtype policy.
    `load_fid_weights` fills it with the 2015 weights.
    """
    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), dtype="float32", name="images")
    x = _conv(inputs, 32, 3, "conv2d_1a_3x3", strides=2)
    x = _conv(x, 32, 3, "conv2d_2a_3x3")
    x = _conv(x, 64, 3, "conv2d_2b_3x3", padding="same")
    x = _max_pool(x, "maxpool1")
    x = _conv(x, 80, 1, "conv2d_3b_1x1")
    x = _conv(x, 192, 3, "conv2d_4a_3x3")
    x = _max_pool(x, "maxpool2")
    x = _block_a(x, 32, "mixed_5b")
    x = _block_a(x, 64, "mixed_5c")
    x = _block_a(x, 64, "mixed_5d")
    x = _block_b(x, "mixed_6a")
    x = _block_c(x, 128, "mixed_6b")
    x = _block_c(x, 160, "mixed_6c")
    x = _block_c(x, 160, "mixed_6d")
    x = _block_c(x, 192, "mixed_6e")
    x = _block_d(x, "mixed_7a")
    x = _block_e(x, "mixed_7b", max_pool=False)
    x = _block_e(x, "mixed_7c", max_pool=True)
    features = keras.layers.GlobalAveragePooling2D(dtype="float32", name="avg_pool")(x)
    return keras.Model(inputs, features, name=name)


def conv_names(model):
    """The model's convolution units (`conv2d_1a_3x3`, `mixed_5b_branch1x1`, ...), in order."""
    return [layer.name[: -len("_conv")] for layer in model.layers if layer.name.endswith("_conv")]
