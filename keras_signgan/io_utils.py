"""Small file helpers: atomic writes, so a crash never leaves a half-written file."""

import contextlib
import json
import os
import pathlib
import shutil
import tempfile


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
    result gets the mode the umask gives a new file or directory. If the block raises, the temporary file or directory is removed and `path` is left as it was.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.name}.tmp-"
    if is_dir:
        tmp = pathlib.Path(tempfile.mkdtemp(prefix=prefix, dir=path.parent))
    else:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=path.suffix, dir=path.parent)
        os.close(fd)
        tmp = pathlib.Path(name)
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
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def write_json_atomic(path, data):
    """Write `data` as indented JSON to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


def data_home():
    """Where downloads are cached: `$KERAS_HOME` (read at call time) or `~/.keras`."""
    return pathlib.Path(os.path.expanduser(os.environ.get("KERAS_HOME", "~/.keras")))
