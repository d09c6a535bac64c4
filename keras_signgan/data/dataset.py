"""`HandshapeDataset`: the in-memory form every dataset loader returns."""

import dataclasses

import numpy as np


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
            raise ValueError(
                f"labels must have shape ({len(self.images)},). Received: {self.labels.shape}"
            )
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

    def subset(self, indices):
        """A new dataset holding the images at `indices` (metadata follows)."""
        indices = np.asarray(indices)
        return HandshapeDataset(
            name=self.name,
            images=self.images[indices],
            labels=self.labels[indices],
            class_names=list(self.class_names),
            metadata={k: np.asarray(v)[indices] for k, v in self.metadata.items()},
        )
