"""Writes that fail (a full disk) name the file they were writing and leave nothing partial."""

import errno
import os
import pathlib
import resource
import signal

import pytest

from keras_signgan.io_utils import WriteError, append_text, atomic_path


@pytest.mark.skipif(not pathlib.Path("/dev/full").exists(), reason="needs /dev/full")
def test_append_to_a_full_device_raises_a_write_error_naming_it():
    with pytest.raises(WriteError) as caught:
        append_text("/dev/full", "step,fid\n")
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == "/dev/full" and caught.value.strerror == os.strerror(errno.ENOSPC)


def test_a_partly_written_line_is_cut_back(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("step,d_loss\n" + "1,0.5\n" * 200)
    before = path.read_bytes()
    # The file may grow by 5 bytes only: the line below is written in part, then the write
    # fails (EFBIG with SIGXFSZ ignored), as on a disk that fills up mid-line.
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (len(before) + 5, hard))
    try:
        with pytest.raises(WriteError) as caught:
            append_text(path, "201,0.123456789\n")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert caught.value.errno == errno.EFBIG and caught.value.filename == str(path)
    assert path.read_bytes() == before
    append_text(path, "201,0.25\n")
    assert path.read_text().splitlines()[-1] == "201,0.25"


def test_atomic_path_names_the_target_not_its_temporary_file(tmp_path):
    target = tmp_path / "ckpt-0000004.npz"
    target.write_bytes(b"old")
    with pytest.raises(WriteError) as caught:
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"partial")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # a failed write names no file
    assert caught.value.filename == str(target) and caught.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_atomic_path_leaves_errors_about_other_files_as_they_are(tmp_path):
    with pytest.raises(FileNotFoundError) as caught:
        with atomic_path(tmp_path / "out.npz"):
            open(tmp_path / "missing-input.npz", "rb")
    assert not isinstance(caught.value, WriteError)
    assert caught.value.filename == str(tmp_path / "missing-input.npz")
    assert list(tmp_path.iterdir()) == []
