"""Datasets: names and paths to in-memory `HandshapeDataset`s, and tf.data pipelines.

from keras_signgan.data import load_dataset, list_datasets
ds = load_dataset("lsa16")      # .images uint8 (N,H,W,3), .labels int (N,), .class_names
"""

from keras_signgan.data.dataset import DatasetSpec, HandshapeDataset  # noqa: F401
from keras_signgan.data.registry import get_spec, list_datasets, load_dataset  # noqa: F401
from keras_signgan.errors import DatasetError


def download_dataset(name):
    """Fetch a named dataset's archive into the cache; return its path."""
    return get_spec(name).download()


def import_archive(name, file):
    """Copy a manually downloaded archive for dataset `name` into the cache (hash checked)."""
    spec = get_spec(name)
    if spec.import_archive is None:
        raise DatasetError(f"{spec.name} has no single archive to import; it is fetched by handshape_datasets.")
    return spec.import_archive(file)
