"""`DiffAugment`: differentiable augmentation applied to real and generated batches."""

import keras
from keras import ops

POLICIES = ("color", "translation", "cutout")
# The transforms `probability` applies to: those that move or hide the hand.
GEOMETRIC = ("translation", "cutout")


@keras.saving.register_keras_serializable(package="keras_signgan")
class DiffAugment(keras.layers.Layer):
    """Differentiable augmentation (Zhao et al. 2020, "Differentiable Augmentation for
    Data-Efficient GAN Training").

    The discriminator sees every real and generated image through the same random,
    differentiable transforms, so it cannot memorise a small dataset, while gradients still
    reach the generator. Transforms, in policy order:

    - `color`: brightness `x + (u - 0.5)` (the reference implementation's `rand_brightness`,
      which also works on [-1, 1] images), saturation `(x - mean_c) * 2u + mean_c`, contrast
      `(x - mean) * (u + 0.5) + mean`, with a fresh `u ~ U(0, 1)` per image for each.
    - `translation`: shift by up to `translation_ratio` of the side, zero-padded.
    - `cutout`: zero a square of side `cutout_ratio` of the image at a random place.

    With `probability` below 1, each image is shifted with that probability, and cut out
    with it again (drawn apart); the colour transforms always apply. The images left
    unshifted and whole show the discriminator where the hands sit and how much of the image
    they fill, which the shifts (up to an eighth of the side) and cut-outs (a quarter of the
    image) otherwise hide.

    Args:
        policy: str. Comma-separated transforms from "color", "translation", "cutout";
            "" for none.
        translation_ratio: float. Largest shift as a fraction of the side. Defaults to 0.125.
        cutout_ratio: float. Side of the cut-out square as a fraction. Defaults to 0.5.
        probability: float in (0, 1]. The chance that an image is shifted, and that it is
            cut out. Defaults to 1 (every image, as DiffAugment).
        seed: int or None. Seed of the random transforms.

    Call arguments:
        images: float tensor (B, H, W, C) in [-1, 1].
        training: bool. Augment only when True; otherwise return `images` unchanged.
    """

    def __init__(
        self,
        policy="color,translation,cutout",
        translation_ratio=0.125,
        cutout_ratio=0.5,
        probability=1.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        parts = [p.strip() for p in str(policy).split(",") if p.strip()]
        unknown = [p for p in parts if p not in POLICIES]
        if unknown:
            raise ValueError(
                f"Unknown DiffAugment policy {', '.join(unknown)}. Valid parts: {', '.join(POLICIES)}. "
                f"Received: policy={policy!r}"
            )
        self.policy = ",".join(parts)
        self.parts = parts
        self.translation_ratio = float(translation_ratio)
        self.cutout_ratio = float(cutout_ratio)
        self.probability = float(probability)
        if not 0 < self.probability <= 1:
            raise ValueError(f"DiffAugment's probability must be in (0, 1]. Received: probability={probability}")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")
        self.built = True  # No shape-dependent state.

    def _uniform(self, shape, dtype):
        return keras.random.uniform(shape, dtype=dtype, seed=self.seed_generator)

    def _color(self, x):
        b = ops.shape(x)[0]
        x = x + (self._uniform((b, 1, 1, 1), x.dtype) - 0.5)
        mean = ops.mean(x, axis=3, keepdims=True)
        x = (x - mean) * (self._uniform((b, 1, 1, 1), x.dtype) * 2.0) + mean
        mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
        return (x - mean) * (self._uniform((b, 1, 1, 1), x.dtype) + 0.5) + mean

    def _translation(self, x):
        b, h, w = ops.shape(x)[0], x.shape[1], x.shape[2]
        pad_h, pad_w = int(h * self.translation_ratio + 0.5), int(w * self.translation_ratio + 0.5)
        if pad_h == 0 and pad_w == 0:
            return x
        shift_y = ops.cast(ops.floor(self._uniform((b, 1, 1), "float32") * (2 * pad_h + 1)), "int32") - pad_h
        shift_x = ops.cast(ops.floor(self._uniform((b, 1, 1), "float32") * (2 * pad_w + 1)), "int32") - pad_w
        # Per image, one-hot matrices that pick each output row's (column's) source row
        # (column), `i - shift`; sources outside the image match nothing and give zeros. Two
        # small batched matrix products shift the image exactly (every output is one source
        # times 1 plus zeros), cheaper than a gather and its scatter-add gradient.
        row_select = ops.cast(
            ops.equal(
                ops.reshape(ops.arange(h, dtype="int32"), (1, h, 1)) - shift_y,
                ops.reshape(ops.arange(h, dtype="int32"), (1, 1, h)),
            ),
            x.dtype,
        )
        col_select = ops.cast(
            ops.equal(
                ops.reshape(ops.arange(w, dtype="int32"), (1, w, 1)) - shift_x,
                ops.reshape(ops.arange(w, dtype="int32"), (1, 1, w)),
            ),
            x.dtype,
        )
        x = ops.einsum("bij,bjwc->biwc", row_select, x)
        return ops.einsum("bkw,bhwc->bhkc", col_select, x)

    def _cutout(self, x):
        b, h, w = ops.shape(x)[0], x.shape[1], x.shape[2]
        size_h, size_w = int(h * self.cutout_ratio + 0.5), int(w * self.cutout_ratio + 0.5)
        offset_y = ops.cast(ops.floor(self._uniform((b, 1, 1), "float32") * (h + 1 - size_h % 2)), "int32")
        offset_x = ops.cast(ops.floor(self._uniform((b, 1, 1), "float32") * (w + 1 - size_w % 2)), "int32")
        rows = ops.reshape(ops.arange(h, dtype="int32"), (1, h, 1)) - offset_y + size_h // 2
        cols = ops.reshape(ops.arange(w, dtype="int32"), (1, 1, w)) - offset_x + size_w // 2
        cut = (rows >= 0) & (rows < size_h) & (cols >= 0) & (cols < size_w)
        return x * (1.0 - ops.cast(ops.expand_dims(cut, -1), x.dtype))

    def call(self, images, training=None):
        if not training or not self.parts:
            return images
        x = images
        for part in self.parts:
            augmented = getattr(self, f"_{part}")(x)
            if part in GEOMETRIC and self.probability < 1:
                # Drawn only below 1, so that probability 1 draws DiffAugment's numbers.
                chosen = self._uniform((ops.shape(x)[0], 1, 1, 1), "float32") < self.probability
                augmented = ops.where(chosen, augmented, x)
            x = augmented
        return x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            policy=self.policy,
            translation_ratio=self.translation_ratio,
            cutout_ratio=self.cutout_ratio,
            probability=self.probability,
            seed=self.seed,
        )
        return config
