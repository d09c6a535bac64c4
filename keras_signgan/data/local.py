"""Local datasets: a folder with one sub-folder of images per class, or an `.npz` file."""

import pathlib

import numpy as np
from PIL import Image, UnidentifiedImageError

from keras_signgan.data.dataset import HandshapeDataset
from keras_signgan.errors import DatasetError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
DEFAULT_FOLDER_IMAGE_SIZE = 32


def load_local(path, image_size=None):
    path = pathlib.Path(path)
    if path.is_dir():
        return load_folder(path, image_size or DEFAULT_FOLDER_IMAGE_SIZE)
    if path.suffix.lower() == ".npz":
        return load_npz(path)
    raise DatasetError(f"{path} is neither a folder of class sub-folders nor an .npz file.")


def load_folder(path, image_size=DEFAULT_FOLDER_IMAGE_SIZE):
    """One sub-folder per class (sorted by name); every image converted to RGB and resized."""
    class_dirs = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise DatasetError(f"{path} has no class sub-folders: put each class's images in a sub-folder named after it.")
    images, labels = [], []
    for label, class_dir in enumerate(class_dirs):
        files = sorted(p for p in class_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise DatasetError(f"Class folder {class_dir} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}).")
        for file in files:
            try:
                with Image.open(file) as image:
                    image = image.convert("RGB").resize((image_size, image_size), Image.BILINEAR)
                    images.append(np.asarray(image, dtype="uint8"))
            except (UnidentifiedImageError, OSError) as error:
                raise DatasetError(f"Cannot read image {file}: {error}.") from None
            labels.append(label)
    return HandshapeDataset(
        name=str(path), images=np.stack(images), labels=np.asarray(labels), class_names=[p.name for p in class_dirs]
    )


def load_npz(path):
    """`x` (N, H, W, 3) uint8, `y` (N,) int, optional `class_names`; never unpickles."""
    try:
        data = np.load(path, allow_pickle=False)
    except ValueError as error:
        raise DatasetError(f"{path}: cannot read it without unpickling ({error}); save plain arrays.") from None
    except (OSError, EOFError) as error:
        raise DatasetError(f"{path} is not a readable .npz file: {error}.") from None
    with data:
        missing = [k for k in ("x", "y") if k not in data.files]
        if missing:
            raise DatasetError(
                f"{path} lacks {', '.join(missing)}: an .npz dataset needs x (N,H,W,3 uint8) and y (N,)."
            )
        try:
            x, y = data["x"], data["y"]
            names = data["class_names"].tolist() if "class_names" in data.files else None
        except ValueError as error:
            raise DatasetError(f"{path}: cannot read it without unpickling ({error}); save plain arrays.") from None
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise DatasetError(f"{path}: x must have shape (N, H, W, 3). Received: {x.shape}.")
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    if x.dtype != np.uint8:
        raise DatasetError(f"{path}: x must be uint8 pixels. Received: {x.dtype}.")
    if y.ndim != 1 or len(y) != len(x) or not np.issubdtype(y.dtype, np.integer):
        raise DatasetError(f"{path}: y must be {len(x)} integer labels. Received: {y.dtype} {y.shape}.")
    if len(y) and y.min() < 0:
        raise DatasetError(f"{path}: labels must be >= 0. Received: min {y.min()}.")
    num_classes = len(names) if names is not None else int(y.max()) + 1 if len(y) else 0
    if len(y) and y.max() >= num_classes:
        raise DatasetError(f"{path}: label {y.max()} but only {num_classes} class_names.")
    names = names if names is not None else [str(i) for i in range(num_classes)]
    return HandshapeDataset(name=str(path), images=x, labels=y, class_names=names)
