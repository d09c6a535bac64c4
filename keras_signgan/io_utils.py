"""Small file helpers: atomic writes and appends, so a crash or a full disk never leaves a
half-written file, and a failed write names the file it was writing (`WriteError`)."""

import contextlib
import hashlib
import json
import os
import pathlib
import shutil
import tempfile


class WriteError(OSError):
    """An OSError while writing the file `filename` (a full disk, a lost mount, no permission).

    `strerror` says why ("No space left on device"); nothing partial was left at `filename`.
    """


def _write_error(error, path, scratch=None):
    """`error` as a WriteError naming `path`, when it concerns `path` (or `scratch`, the
    temporary file written in its place), or names no file; otherwise `error` unchanged."""
    if isinstance(error, WriteError):
        return error
    named = error.filename
    if isinstance(named, (str, bytes, os.PathLike)):
        named = pathlib.Path(os.fsdecode(named))
        if named not in (path, scratch) and (scratch is None or scratch not in named.parents):
            return error
    return WriteError(error.errno, error.strerror or str(error), str(path))


def _umask():
    # os.umask can only be read by setting it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _give_normal_mode(path, is_dir):
    """mkstemp/mkdtemp make 0600/0700 entries: give them what a plain open() would."""
    os.chmod(path, (0o777 if is_dir else 0o666) & ~_umask())


@contextlib.contextmanager
def atomic_path(path, is_dir=False):
    """Yield a temporary path beside `path`; rename it onto `path` only on success.

    Write the file (or, with `is_dir=True`, fill the directory) at the yielded path. The
    result gets the mode the umask gives a new file or directory. If the block raises, the
    temporary file or directory is removed and `path` is left as it was; an OSError about
    the file being written (or about no file: a failed `write` names none) comes out as a
    `WriteError` naming `path`.
    """
    path = pathlib.Path(path)
    prefix = f".{path.name}.tmp-"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if is_dir:
            tmp = pathlib.Path(tempfile.mkdtemp(prefix=prefix, dir=path.parent))
        else:
            fd, name = tempfile.mkstemp(prefix=prefix, suffix=path.suffix, dir=path.parent)
            os.close(fd)
            tmp = pathlib.Path(name)
    except OSError as error:
        raise _write_error(error, path) from error
    try:
        yield tmp
        if tmp.exists():
            _give_normal_mode(tmp, is_dir)
        if is_dir:
            if path.exists():
                shutil.rmtree(path)
            os.replace(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException as error:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _write_error(error, path, scratch=tmp) from error
        raise


def append_text(path, text):
    """Append `text` to the file `path` (created if missing) in one write.

    On failure the file is cut back to its former length, so a full disk never leaves a
    partial line, and a `WriteError` naming `path` is raised.
    """
    path = pathlib.Path(path)
    data = text.encode("utf-8")
    try:
        with open(path, "ab", buffering=0) as file:
            start = os.fstat(file.fileno()).st_size
            try:
                written = 0
                while written < len(data):
                    written += file.write(data[written:])
            except OSError:
                try:
                    file.truncate(start)
                except OSError:
                    pass  # the write's own error is the one to report
                raise
    except OSError as error:
        raise _write_error(error, path) from error


def write_json_atomic(path, data):
    """Write `data` as indented JSON to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


def data_home():
    """Where downloads are cached: `$KERAS_HOME` (read at call time) or `~/.keras`."""
    return pathlib.Path(os.path.expanduser(os.environ.get("KERAS_HOME", "~/.keras")))


def sha256_of(path):
    """The sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class DownloadFailed(Exception):
    """`download_verified` could not fetch a file or its sha256 did not match; `str()` is the cause."""


def download_verified(url, sha256, target):
    """Download `url` to `target` with `keras.utils.get_file`, its sha256 checked.

    get_file writes under its own name and checks the hash afterwards: the file is fetched
    to a partial name and renamed, so a failed or corrupted download never sits where a
    verified file is expected. Raises DownloadFailed naming the cause.
    """
    import keras  # heavy (loads TensorFlow): only when something is downloaded

    target = pathlib.Path(target)
    partial = target.with_name(target.name + ".partial")
    try:
        keras.utils.get_file(
            fname=partial.name,
            origin=url,
            file_hash=sha256,
            hash_algorithm="sha256",
            cache_dir=str(target.parent.parent),
            cache_subdir=target.parent.name,
        )
    except Exception as error:  # get_file raises bare Exceptions for network failures
        partial.unlink(missing_ok=True)
        raise DownloadFailed(f"{type(error).__name__}: {error}") from None
    partial.replace(target)
    return target
