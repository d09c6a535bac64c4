"""`HandshapeDataset`, the in-memory form every dataset loader returns, and `DatasetSpec`,
what a named dataset is and how to get it."""

import dataclasses

import numpy as np
from PIL import Image


@dataclasses.dataclass
class HandshapeDataset:
    """Labelled handshape images held in memory.

    Args:
        name: str. The dataset's name (`"lsa16"`) or the path it was read from.
        images: uint8 array of shape `(N, H, W, 3)`.
        labels: int64 array of shape `(N,)`, class indices in `[0, num_classes)`.
        class_names: list of str, one per class, in label order.
        metadata: dict of str to arrays of length N (for example `"subject"` and
            `"repetition"` for LSA16). Empty when the source has none.
    """

    name: str
    images: np.ndarray
    labels: np.ndarray
    class_names: list
    metadata: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        self.images = np.asarray(self.images)
        self.labels = np.asarray(self.labels).astype(np.int64)
        self.class_names = [str(c) for c in self.class_names]
        if self.images.dtype != np.uint8 or self.images.ndim != 4 or self.images.shape[-1] != 3:
            raise ValueError(
                "images must be uint8 of shape (N, H, W, 3). "
                f"Received: dtype={self.images.dtype}, shape={self.images.shape}"
            )
        if self.labels.shape != (len(self.images),):
            raise ValueError(f"labels must have shape ({len(self.images)},). Received: {self.labels.shape}")
        if len(self.labels) and (self.labels.min() < 0 or self.labels.max() >= len(self.class_names)):
            raise ValueError(
                f"labels must lie in [0, {len(self.class_names)}). "
                f"Received: min={self.labels.min()}, max={self.labels.max()}"
            )
        for key, value in self.metadata.items():
            if len(value) != len(self.images):
                raise ValueError(f"metadata[{key!r}] has {len(value)} entries, expected {len(self.images)}")

    def __len__(self):
        return len(self.images)

    @property
    def num_classes(self):
        return len(self.class_names)

    @property
    def image_size(self):
        return int(self.images.shape[1])

    def class_counts(self):
        """Images per class, as an int array of length `num_classes`."""
        return np.bincount(self.labels, minlength=self.num_classes)

    def class_rows(self, classes, per_class, seed=0):
        """uint8 `(len(classes), per_class, H, W, 3)`: `per_class` images of each of `classes`
        (class indices), picked at random by `seed`; drawn again when a class has fewer
        images, black when it has none."""
        rng = np.random.default_rng(seed)
        rows = np.zeros((len(classes), per_class) + self.images.shape[1:], "uint8")
        for row, index in enumerate(classes):
            members = np.flatnonzero(self.labels == index)
            if len(members):
                rows[row] = self.images[rng.choice(members, size=per_class, replace=len(members) < per_class)]
        return rows


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """What a named dataset is and how to get it.

    Args:
        name: str. The name used on the command line.
        description: str. One line.
        num_images: int or None. Images in the dataset (None when unknown).
        num_classes: int or None. Classes.
        download_bytes: int or None. Size of the download.
        loader: callable `(image_size) -> HandshapeDataset`.
        is_cached: callable `() -> bool`: whether loading needs no download.
        download: callable `() -> path` fetching the archive into the cache.
        import_archive: callable `(file) -> path` or None: copy a downloaded archive in.
        aliases: tuple of str.
    """

    name: str
    description: str
    num_images: int
    num_classes: int
    download_bytes: int
    loader: object
    is_cached: object
    download: object
    import_archive: object = None
    aliases: tuple = ()


def resize_images(images, size):
    """Resize uint8 images (N, H, W, 3) to (N, size, size, 3), bilinear."""
    if images.shape[1] == size and images.shape[2] == size:
        return images
    out = np.empty((len(images), size, size, 3), dtype="uint8")
    for i, image in enumerate(images):
        out[i] = np.asarray(Image.fromarray(image).resize((size, size), Image.BILINEAR))
    return out
