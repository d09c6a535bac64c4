"""Sampling a generator: latents (with the truncation trick), labels checked once, the batch
loop and the uint8 conversion.

`ConditionalGAN.sample` (a GAN in memory) and `keras_signgan.generators.LoadedGenerator`
(an export or a run directory) both draw through `generate`, so a GAN, its run directory
and its export give the same images for the same seed.
"""

import numpy as np
from keras import ops

from keras_signgan.errors import ConfigError, SignGANError


def sample_latents(num, z_dim, seed=None, truncation=None):
    """Draw `num` latent vectors from N(0, I), optionally truncated.

    With `truncation=t`, every entry with |z| > t is redrawn until it lies inside, the
    truncation trick of BigGAN (Brock et al. 2019): smaller `t` trades variety for fidelity.

    Args:
        num: int. Number of vectors.
        z_dim: int. Their length.
        seed: int or None. Same seed, same vectors.
        truncation: float > 0 or None (no truncation).

    Returns:
        float32 array of shape `(num, z_dim)`.
    """
    if truncation is not None and not truncation > 0:
        raise ConfigError(f"--truncation must be > 0. Received: {truncation}.")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((num, z_dim))
    if truncation is not None:
        outside = np.abs(z) > truncation
        while outside.any():
            z[outside] = rng.standard_normal(int(outside.sum()))
            outside = np.abs(z) > truncation
    return z.astype("float32")


def check_labels(labels, num_classes):
    """`labels` as an int32 vector; SignGANError unless every one lies in [0, num_classes)."""
    labels = np.asarray(labels, dtype="int32").reshape(-1)
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise SignGANError(
            f"Class labels must lie in [0, {num_classes}). Received: min={labels.min()}, max={labels.max()}."
        )
    return labels


def generated_to_uint8(images):
    """Map generator output in [-1, 1] to uint8 pixels (round half to even, clipped)."""
    images = ops.cast(images, "float32")
    return ops.cast(ops.clip(ops.round((images + 1.0) * 127.5), 0.0, 255.0), "uint8")


def network_batches(generator):
    """`generate_batch(z, labels) -> uint8 images` of a Keras generator network."""

    def generate_batch(z, labels):
        images = generator([ops.convert_to_tensor(z), ops.convert_to_tensor(labels)], training=False)
        return ops.convert_to_numpy(generated_to_uint8(images))

    return generate_batch


def generate(generate_batch, labels, num_classes, z_dim, image_size, seed=None, truncation=None, batch_size=256):
    """uint8 images `(N, image_size, image_size, 3)` for `labels`; same seed, same images.

    Args:
        generate_batch: callable `(z, labels) -> uint8 images` for one batch.
        labels: int array-like of shape (N,), each in [0, num_classes).
        num_classes, z_dim, image_size: int. The generator's.
        seed: int or None. Seed of the latents.
        truncation: float > 0 or None.
        batch_size: int. Images per call of `generate_batch`.
    """
    labels = check_labels(labels, num_classes)
    z = sample_latents(len(labels), z_dim, seed=seed, truncation=truncation)
    out = [generate_batch(z[i : i + batch_size], labels[i : i + batch_size]) for i in range(0, len(labels), batch_size)]
    if not out:
        return np.zeros((0, image_size, image_size, 3), dtype="uint8")
    return np.concatenate(out, axis=0)
