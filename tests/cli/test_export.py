"""`signgan generate` from an export, and `signgan export` refusing what is not a run."""

import numpy as np
import pytest
from click.testing import CliRunner

from keras_signgan.cli.main import cli
from tests.conftest import EXPORT_CLASSES as CLASSES


def generate(*args):
    return CliRunner().invoke(cli, ["generate", *[str(a) for a in args]])


def test_generate_npz_folder_and_png(export_dir, tmp_path):
    from keras_signgan.data import load_dataset

    result = generate(export_dir, "--classes", "Five,2", "--per-class", "3", "--seed", "1", "--out", tmp_path / "a.npz")
    assert result.exit_code == 0, result.output
    with np.load(tmp_path / "a.npz", allow_pickle=False) as data:
        assert data["x"].shape == (6, 32, 32, 3) and data["x"].dtype == np.uint8
        assert data["y"].tolist() == [0, 0, 0, 2, 2, 2]
        assert data["class_names"].tolist() == CLASSES
        first = data["x"].copy()
    assert (
        generate(
            export_dir, "--classes", "Five,2", "--per-class", "3", "--seed", "1", "--out", tmp_path / "b.npz"
        ).exit_code
        == 0
    )
    with np.load(tmp_path / "b.npz") as data:
        np.testing.assert_array_equal(first, data["x"])

    result = generate(export_dir, "--num", "7", "--out", tmp_path / "folder")
    assert result.exit_code == 0, result.output
    dataset = load_dataset(str(tmp_path / "folder"))
    assert sorted(dataset.class_names) == sorted(CLASSES)
    assert sorted(dataset.class_counts().tolist()) == [2, 2, 3]

    result = generate(export_dir, "--out", tmp_path / "grid.png")
    assert result.exit_code == 0 and (tmp_path / "grid.png").stat().st_size > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--classes", "Seven"], "Five, Four, Horns"),
        (["--truncation", "0"], "truncation"),
        (["--num", "0"], "--num"),
        (["--per-class", "-1"], "--per-class"),
    ],
)
def test_generate_errors_leave_no_output(export_dir, tmp_path, args, message):
    out = tmp_path / "out.npz"
    result = generate(export_dir, *args, "--out", out)
    assert result.exit_code == 2 and message in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_not_an_export_or_run_dir(tmp_path):
    result = generate(tmp_path, "--out", tmp_path / "x.npz")
    assert result.exit_code == 2 and "neither an export" in result.output
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "not a run directory" in result.output
