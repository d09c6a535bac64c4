"""`signgan datasets`: listing, importing, describing and showing datasets."""

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from keras_signgan.cli.main import cli
from keras_signgan.data import load_dataset
from keras_signgan.errors import DatasetError


def test_datasets_cli(fake_lsa16_zip, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["datasets"])
    assert result.exit_code == 0, result.output
    lsa16_line = next(line for line in result.output.splitlines() if line.startswith("lsa16 "))
    assert "800" in lsa16_line and " no " in lsa16_line
    result = runner.invoke(cli, ["datasets", "import", "lsa16", str(fake_lsa16_zip)])
    assert result.exit_code == 2 and "sha256 expected" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["datasets", "info", "lsa16"])
    assert result.exit_code == 0 and "signgan datasets download lsa16" in result.output
    x = np.zeros((6, 32, 32, 3), "uint8")
    np.savez(tmp_path / "d.npz", x=x, y=np.array([0, 0, 1, 1, 2, 2]), class_names=np.array(["p", "q", "r"]))
    out = tmp_path / "grid.png"
    result = runner.invoke(cli, ["datasets", "show", str(tmp_path / "d.npz"), "--out", str(out), "--per-class", "3"])
    assert result.exit_code == 0, result.output
    assert Image.open(out).size[0] > 0
    result = runner.invoke(cli, ["datasets", "info", str(tmp_path / "d.npz")])
    assert result.exit_code == 0 and "3 classes" in result.output
    result = runner.invoke(cli, ["datasets", "show", "nonexistent"])
    assert result.exit_code == 2 and "Unknown dataset" in result.output


def test_unreadable_image_names_the_file(tmp_path):
    (tmp_path / "data" / "a").mkdir(parents=True)
    Image.fromarray(np.zeros((8, 8, 3), "uint8")).save(tmp_path / "data" / "a" / "ok.png")
    (tmp_path / "data" / "a" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(DatasetError, match="broken.png"):
        load_dataset(tmp_path / "data")
    result = CliRunner().invoke(cli, ["datasets", "info", str(tmp_path / "data")])
    assert result.exit_code == 2 and "broken.png" in result.output and "Traceback" not in result.output
