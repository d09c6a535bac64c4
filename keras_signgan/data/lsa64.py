"""LSA64 with rotations: every LSA16 image at 0, 90, 180 and 270 degrees (64 classes).

Class = handshape * 4 + rotation index, named like `Five@90`; rotations are
counter-clockwise (`np.rot90`). 3,200 images, 50 per class.
"""

import numpy as np

from keras_signgan.data import archives, lsa16
from keras_signgan.data.dataset import DatasetSpec, HandshapeDataset

ANGLES = (0, 90, 180, 270)


def with_rotations(base):
    """The rotated dataset of a square-image HandshapeDataset."""
    images, labels, meta = [], [], {k: [] for k in base.metadata}
    meta["rotation"] = []
    for index, angle in enumerate(ANGLES):
        images.append(np.rot90(base.images, k=index, axes=(1, 2)))
        labels.append(base.labels * len(ANGLES) + index)
        for key, values in base.metadata.items():
            if key != "rotation":
                meta[key].append(values)
        meta["rotation"].append(np.full(len(base), angle))
    order = np.argsort(np.concatenate(labels), kind="stable")
    return HandshapeDataset(
        name="lsa64",
        images=np.ascontiguousarray(np.concatenate(images)[order]),
        labels=np.concatenate(labels)[order],
        class_names=[f"{name}@{angle}" for name in base.class_names for angle in ANGLES],
        metadata={k: np.concatenate(v)[order] for k, v in meta.items()},
    )


def load():
    return with_rotations(lsa16.load())


SPEC = DatasetSpec(
    name="lsa64",
    description="LSA16 at 0/90/180/270 degrees; class = handshape*4 + rotation (e.g. Five@90)",
    num_images=3200,
    num_classes=64,
    download_bytes=lsa16.SIZE_BYTES,
    loader=lambda image_size: load(),  # 32x32; load_dataset resizes
    is_cached=lambda: archives.is_cached(lsa16.FILE_NAME, lsa16.SHA256),
    download=lsa16.download,
    import_archive=lambda source: archives.import_file("lsa16", lsa16.FILE_NAME, source, lsa16.SHA256),
)
