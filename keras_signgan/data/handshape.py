"""Adapter for the `handshape_datasets` package (0.1.5): PugeaultASL and friends.

`asl` (alias `pugeault-asl`) is PugeaultASL_A: 24 static ASL letters, ~65,774 colour images
of 5 subjects. Every other handshape_datasets id (rwth, Ciarp, jsl, Nus1, ...) loads through
the same adapter. Files are cached under `$KERAS_HOME/datasets/handshape_datasets`.

The package extracts tarballs with an unchecked `extractall`; here its `extract_tar` is
replaced, for the duration of a load only, by `archives.safe_extract_tar`, which refuses
members that would land outside the target folder. The package also configures the root
logger when it loads (`logging.basicConfig(level=INFO)`); the root logger's handlers and
level are put back afterwards, so loading a dataset leaves the program's logging as it was.
Its progress lines go to stderr.
"""

import contextlib
import logging
import sys

import numpy as np

from keras_signgan.data import archives
from keras_signgan.data.dataset import DatasetSpec, HandshapeDataset, resize_images
from keras_signgan.errors import DatasetError

ASL_ID = "PugeaultASL_A"
ASL_LETTERS = list("ABCDEFGHIKLMNOPQRSTUVWXY")
ASL_DOWNLOAD_BYTES = 2_246_539_027


def library_folder():
    return archives.cache_dir() / "handshape_datasets"


def _library():
    try:
        import handshape_datasets  # optional and heavy: imported when a dataset of it is used
    except Exception as error:  # the package imports cv2, skimage, requests, ...
        raise DatasetError(
            f"handshape_datasets cannot be imported ({type(error).__name__}: {error}). "
            "Install it with: pip install handshape-datasets==0.1.5"
        ) from None
    return handshape_datasets


@contextlib.contextmanager
def _safe_extraction(loader):
    module = sys.modules[type(loader).__module__]
    original = getattr(module, "extract_tar", None)

    def extract_tar(tar_path, extracted_path):
        archives.safe_extract_tar(str(tar_path), extracted_path)

    module.extract_tar = extract_tar
    try:
        yield
    finally:
        if original is None:
            del module.extract_tar
        else:
            module.extract_tar = original


@contextlib.contextmanager
def _root_logging_kept():
    """Undo what the package's `logging.basicConfig` calls do to the root logger."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)


def to_handshape_dataset(name, x, metadata, class_names, image_size):
    """Convert the package's `(x, metadata)` to a HandshapeDataset of uint8 RGB images."""
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.dtype != np.uint8:
        # Depth or float images: scale each image's range to 0..255.
        x = x.astype("float64")
        low = x.min(axis=(1, 2, 3), keepdims=True)
        high = x.max(axis=(1, 2, 3), keepdims=True)
        x = np.round(255 * (x - low) / np.maximum(high - low, 1e-12)).astype("uint8")
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    x = resize_images(x[..., :3], image_size)
    y = np.asarray(metadata["y"]).astype("int64")
    if class_names is None or len(class_names) <= int(y.max()):
        class_names = [str(i) for i in range(int(y.max()) + 1)]
    extra = {}
    for key in ("subjects", "subject"):
        if key in metadata:
            extra["subject"] = np.asarray(metadata[key]).astype("int64")
            break
    return HandshapeDataset(name=name, images=x, labels=y, class_names=list(class_names), metadata=extra)


def load_handshape(name, dataset_id, image_size=None):
    library = _library()
    if dataset_id not in library.ids():
        raise DatasetError(f"handshape_datasets has no dataset {dataset_id!r}. Known: {', '.join(library.ids())}.")
    info = library.info(dataset_id)
    loader = info.get_loader()
    folder = library_folder()
    folder.mkdir(parents=True, exist_ok=True)
    dataset_folder = folder / loader.name
    downloaded = dataset_folder.is_dir() and loader.get_downloaded_flag(dataset_folder)
    if not downloaded:
        print(f"{name}: the {dataset_id} download is {info.download_size / 1e9:,.2f} GB.", file=sys.stderr, flush=True)
        tar_name = getattr(loader, "tarfile_name", None)
        if tar_name and isinstance(loader.urls(), str):
            # Fetch through keras.utils.get_file (progress bar, resumable cache), then mark
            # it downloaded so the package goes straight to (safe) extraction.
            dataset_folder.mkdir(parents=True, exist_ok=True)
            archives.fetch(
                name, f"handshape_datasets/{loader.name}/{tar_name}", loader.urls(), None, info.download_size
            )
            loader.set_downloaded(dataset_folder)
    try:
        with _safe_extraction(loader), _root_logging_kept():
            x, metadata = library.load(dataset_id, folderpath=folder)
    except DatasetError:
        raise
    except Exception as error:
        raise DatasetError(
            f"handshape_datasets could not load {dataset_id}: {type(error).__name__}: {error}."
        ) from None
    return to_handshape_dataset(name, x, metadata, getattr(info, "labels", None), image_size or 32)


def specs():
    """The `asl` spec plus one per other handshape_datasets id."""
    asl = DatasetSpec(
        name="asl",
        description="PugeaultASL_A finger spelling, 24 letters, 5 subjects (2.1 GB download)",
        num_images=65_774,
        num_classes=24,
        download_bytes=ASL_DOWNLOAD_BYTES,
        loader=lambda image_size: load_handshape("asl", ASL_ID, image_size),
        is_cached=lambda: _is_cached(ASL_ID),
        download=lambda: load_handshape("asl", ASL_ID),
        aliases=("pugeault-asl", ASL_ID),
    )
    out = [asl]
    try:
        library = _library()
    except DatasetError:
        return out
    for dataset_id in library.ids():
        if dataset_id in (ASL_ID, "lsa16"):
            continue
        info = library.info(dataset_id)
        out.append(
            DatasetSpec(
                name=dataset_id,
                description=f"handshape_datasets {dataset_id}",
                num_images=getattr(info, "subject", None),
                num_classes=len(getattr(info, "labels", []) or []) or None,
                download_bytes=getattr(info, "download_size", None),
                loader=lambda image_size, i=dataset_id: load_handshape(i, i, image_size),
                is_cached=lambda i=dataset_id: _is_cached(i),
                download=lambda i=dataset_id: load_handshape(i, i),
            )
        )
    return out


def _is_cached(dataset_id):
    folder = library_folder() / dataset_id
    return folder.is_dir() and any(p.name.endswith("_preprocessed") for p in folder.iterdir())
