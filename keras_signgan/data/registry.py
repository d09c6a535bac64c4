"""Dataset names -> specs, and `load_dataset` / `list_datasets`."""

import pathlib

from keras_signgan.data import handshape, local, lsa16, lsa64
from keras_signgan.data.dataset import resize_images
from keras_signgan.errors import DatasetError


def _specs():
    return [lsa16.SPEC, lsa64.SPEC, *handshape.specs()]


def list_datasets():
    """Every named dataset, as `DatasetSpec`s."""
    return _specs()


def get_spec(name):
    """The spec named `name` (or one of its aliases); DatasetError listing the known names."""
    for spec in _specs():
        if name == spec.name or name in spec.aliases:
            return spec
    names = ", ".join(s.name for s in _specs())
    raise DatasetError(
        f"Unknown dataset {name!r}. Known datasets: {names}; or give the path of a folder "
        "with one sub-folder per class, or of an .npz file with x and y."
    )


def is_path_like(name_or_path):
    text = str(name_or_path)
    return pathlib.Path(text).exists() or "/" in text or text.endswith(".npz") or text.startswith(".")


def load_dataset(name_or_path, image_size=None):
    """Load a named dataset or a local folder / `.npz` as a `HandshapeDataset`.

    Args:
        name_or_path: str or path. A name from `list_datasets()` (`"lsa16"`, `"lsa64"`,
            `"asl"`, other handshape_datasets ids) or the path of a folder with one
            sub-folder of images per class, or of an `.npz` with `x` (N, H, W, 3) uint8,
            `y` (N,) int and optionally `class_names`.
        image_size: int or None. Resize images to this side (bilinear); None keeps the
            dataset's own size (32 for the named datasets and `.npz` files; folders of
            images of any size are resized to 32).

    Returns:
        HandshapeDataset.
    """
    if image_size is not None and int(image_size) < 8:
        raise DatasetError(f"image_size must be at least 8. Received: {image_size}.")
    if is_path_like(name_or_path):
        path = pathlib.Path(name_or_path)
        if not path.exists():
            raise DatasetError(f"Dataset path {path} does not exist.")
        dataset = local.load_local(path, image_size=image_size)
    else:
        dataset = get_spec(str(name_or_path)).loader(image_size)
    if image_size is not None and dataset.image_size != int(image_size):
        dataset.images = resize_images(dataset.images, int(image_size))
    return dataset
