"""LSA16: Argentinian Sign Language handshapes, 32x32 RGB on black, 800 images, 16 classes.

Ronchetti, Quiroga et al., UNLP (CC BY-NC-SA 4.0): http://facundoq.github.io/datasets/lsa16/
Files are `CC_SS_RR_AAA.png`: class 01-16, subject 01-10, repetition 01-05, rotation.
"""

import io
import re
import zipfile

import numpy as np
from PIL import Image, UnidentifiedImageError

from keras_signgan.data import archives
from keras_signgan.data.dataset import DatasetSpec, HandshapeDataset
from keras_signgan.errors import DatasetError

URL = "http://facundoq.github.io/datasets/lsa16/data/lsa32x32_nr_rgb_black_background.zip"
FILE_NAME = "lsa32x32_nr_rgb_black_background.zip"
SHA256 = "87b4f8691ba41d88eecdffd8a837879c58320b296105e9ebafec7aaa7af8bac3"
SIZE_BYTES = 655_994
CLASS_NAMES = [
    "Five",
    "Four",
    "Horns",
    "Curve",
    "Fingers together",
    "Double",
    "Hook",
    "Index",
    "L",
    "Flat Hand",
    "Mitten",
    "Beak",
    "Thumb",
    "Fist",
    "Telephone",
    "V",
]
_NAME = re.compile(r"^(\d{2})_(\d{2})_(\d{2})_(\d{3})\.png$")


def read_archive(path, class_names=CLASS_NAMES):
    """Decode an LSA16-format zip: `CC_SS_RR_AAA.png` members, in file-name order."""
    images, labels, subjects, repetitions, rotations = [], [], [], [], []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise DatasetError(f"{path} is not a readable zip archive: {error}.") from None
    with archive:
        members = sorted(
            (m for m in archive.namelist() if _NAME.match(m.rsplit("/", 1)[-1])), key=lambda m: m.rsplit("/", 1)[-1]
        )
        if not members:
            raise DatasetError(f"{path} holds no CC_SS_RR_AAA.png images: it is not an LSA16 archive.")
        for member in members:
            cls, subject, repetition, rotation = map(int, _NAME.match(member.rsplit("/", 1)[-1]).groups())
            if not 1 <= cls <= len(class_names):
                raise DatasetError(f"{path}: {member} has class {cls}, expected 01-{len(class_names):02d}.")
            try:
                image = Image.open(io.BytesIO(archive.read(member))).convert("RGB")
            except (UnidentifiedImageError, OSError) as error:
                raise DatasetError(f"{path}: cannot decode image {member}: {error}.") from None
            images.append(np.asarray(image, dtype="uint8"))
            labels.append(cls - 1)
            subjects.append(subject)
            repetitions.append(repetition)
            rotations.append(rotation)
    shapes = {im.shape for im in images}
    if len(shapes) != 1:
        raise DatasetError(f"{path}: images have different sizes {sorted(shapes)}.")
    return HandshapeDataset(
        name="lsa16",
        images=np.stack(images),
        labels=np.asarray(labels),
        class_names=list(class_names),
        metadata={
            "subject": np.asarray(subjects),
            "repetition": np.asarray(repetitions),
            "rotation": np.asarray(rotations),
        },
    )


def download():
    return archives.fetch("lsa16", FILE_NAME, URL, SHA256, SIZE_BYTES)


def load():
    """LSA16 as a HandshapeDataset (downloading the archive on first use)."""
    return read_archive(download())


SPEC = DatasetSpec(
    name="lsa16",
    description="LSA16 handshapes, 32x32 RGB on black (official zip, sha256-pinned)",
    num_images=800,
    num_classes=16,
    download_bytes=SIZE_BYTES,
    loader=lambda image_size: load(),  # 32x32; load_dataset resizes
    is_cached=lambda: archives.is_cached(FILE_NAME, SHA256),
    download=download,
    import_archive=lambda source: archives.import_file("lsa16", FILE_NAME, source, SHA256),
)
