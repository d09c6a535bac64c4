"""Datasets: names and paths to in-memory `HandshapeDataset`s, and tf.data pipelines."""

from keras_signgan.data.dataset import HandshapeDataset  # noqa: F401
