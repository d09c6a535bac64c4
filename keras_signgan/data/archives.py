"""Downloading, importing and safely unpacking dataset archives."""

import pathlib
import shutil
import sys
import tarfile

from keras_signgan.errors import DatasetError
from keras_signgan.io_utils import DownloadFailed, atomic_path, data_home, download_verified, sha256_of


def cache_dir():
    """Where archives are kept: `$KERAS_HOME/datasets` (default `~/.keras/datasets`)."""
    return data_home() / "datasets"


def is_cached(file_name, sha256):
    path = cache_dir() / file_name
    return path.is_file() and (sha256 is None or sha256_of(path) == sha256)


def fetch(dataset_name, file_name, url, sha256, size_bytes=None):
    """The cached archive, downloaded with `keras.utils.get_file` (hash checked) if needed."""
    path = cache_dir() / file_name
    if is_cached(file_name, sha256):
        return path
    if size_bytes:
        print(f"Downloading {dataset_name}: {size_bytes / 1e6:,.1f} MB from {url}", file=sys.stderr, flush=True)
    try:
        return download_verified(url, sha256, path)
    except DownloadFailed as error:
        raise DatasetError(
            f"Could not download {dataset_name} from {url} ({error}). "
            f"Download it on a machine with internet and run: signgan datasets import {dataset_name} FILE"
        ) from None


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
