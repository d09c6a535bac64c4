"""Pixel helpers shared by the loaders and the pipeline (NumPy and Pillow only)."""

import numpy as np
from PIL import Image


def resize_images(images, size):
    """Resize uint8 images (N, H, W, 3) to (N, size, size, 3), bilinear."""
    if images.shape[1] == size and images.shape[2] == size:
        return images
    out = np.empty((len(images), size, size, 3), dtype="uint8")
    for i, image in enumerate(images):
        out[i] = np.asarray(Image.fromarray(image).resize((size, size), Image.BILINEAR))
    return out


def to_float_images(images):
    """uint8 pixels -> float32 in [-1, 1]."""
    return images.astype("float32") / 127.5 - 1.0


def to_uint8_images(images):
    """Floats in [-1, 1] -> uint8 pixels (rounded, clipped)."""
    return np.clip(np.round((np.asarray(images, dtype="float32") + 1.0) * 127.5), 0, 255).astype("uint8")
