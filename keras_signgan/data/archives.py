"""Downloading, importing and safely unpacking dataset archives."""

import hashlib
import pathlib
import shutil
import sys
import tarfile

from keras_signgan.errors import DatasetError
from keras_signgan.io_utils import atomic_path, data_home


def cache_dir():
    """Where archives are kept: `$KERAS_HOME/datasets` (default `~/.keras/datasets`)."""
    return data_home() / "datasets"


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_cached(file_name, sha256):
    path = cache_dir() / file_name
    return path.is_file() and (sha256 is None or sha256_of(path) == sha256)


def fetch(dataset_name, file_name, url, sha256, size_bytes=None):
    """The cached archive, downloaded with `keras.utils.get_file` (hash checked) if needed."""
    path = cache_dir() / file_name
    if is_cached(file_name, sha256):
        return path
    import keras  # heavy (loads TensorFlow): only when something is downloaded

    if size_bytes:
        print(f"Downloading {dataset_name}: {size_bytes / 1e6:,.1f} MB from {url}", file=sys.stderr, flush=True)
    # get_file writes under its own name and checks the hash afterwards: download to a
    # partial name and rename, so a failed or corrupted download never sits in the cache.
    partial = path.with_name(file_name + ".partial")
    try:
        keras.utils.get_file(
            fname=partial.name,
            origin=url,
            file_hash=sha256,
            hash_algorithm="sha256",
            cache_dir=str(data_home()),
            cache_subdir="datasets",
        )
    except Exception as error:  # get_file raises bare Exceptions for network failures
        partial.unlink(missing_ok=True)
        raise DatasetError(
            f"Could not download {dataset_name} from {url} ({type(error).__name__}: {error}). "
            f"Download it on a machine with internet and run: signgan datasets import {dataset_name} FILE"
        ) from None
    partial.replace(path)
    return path


def import_file(dataset_name, file_name, source, sha256):
    """Copy a manually downloaded archive into the cache after checking its hash."""
    source = pathlib.Path(source)
    if not source.is_file():
        raise DatasetError(f"Archive {source} does not exist or is not a file.")
    if sha256 is not None:
        got = sha256_of(source)
        if got != sha256:
            raise DatasetError(
                f"{source} is not the {dataset_name} archive: sha256 expected {sha256}, got {got}. "
                "The cache was left untouched."
            )
    target = cache_dir() / file_name
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
    return target


def safe_extract_tar(tar_path, destination):
    """Extract a tarball, refusing members that would land outside `destination`.

    Absolute paths, `..` components, and links pointing outside are rejected before
    anything is written; device files and other specials are skipped.
    """
    destination = pathlib.Path(destination).resolve()
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_path) as tar:
        members = tar.getmembers()
        for member in members:
            target = (destination / member.name).resolve()
            if not target.is_relative_to(destination):
                raise DatasetError(f"Refusing to extract {tar_path}: member {member.name!r} escapes the target folder.")
            if member.issym() or member.islnk():
                link = (
                    (target.parent / member.linkname).resolve()
                    if member.issym()
                    else (destination / member.linkname).resolve()
                )
                if not link.is_relative_to(destination):
                    raise DatasetError(
                        f"Refusing to extract {tar_path}: link {member.name!r} points outside the target folder."
                    )
        safe = [m for m in members if m.isfile() or m.isdir() or m.issym() or m.islnk()]
        tar.extractall(destination, members=safe, filter="data")
