"""`signgan evaluate` on a tiny run, with a small random Keras extractor."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from keras_signgan.cli.main import cli
from keras_signgan.config import TrainConfig


def test_evaluate_cli_writes_json(evaluate_toy, tmp_path):
    folder, run, extractor = evaluate_toy
    out = tmp_path / "scores.json"
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            str(run),
            "--features",
            str(extractor),
            "--num-samples",
            "16",
            "--metrics",
            "fid,kid",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "FID" in result.output and "KID" in result.output
    data = json.loads(out.read_text())
    assert set(data["metrics"]) == {"fid", "kid"} and np.isfinite(data["metrics"]["fid"])
    assert data["dataset"].endswith("toy.npz") and data["num_generated"] == 16


@pytest.mark.parametrize(
    "args, message",
    [
        (["--num-samples", "1"], "at least 2"),
        (["--num-samples", "0"], "at least 2"),
        (["--metrics", "fid,isc"], "Unknown metrics isc"),
        (["--features", "missing.keras"], "no such file"),
        (["--features", "{junk}"], "not a loadable Keras model"),
        (["--dataset", "{other}"], "The generator has 4 classes, the dataset"),
    ],
)
def test_evaluate_cli_errors(evaluate_toy, tmp_path, args, message):
    folder, run, extractor = evaluate_toy
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a model")
    np.savez(tmp_path / "other.npz", x=np.zeros((6, 32, 32, 3), "uint8"), y=np.arange(6) % 3)
    args = [a.format(junk=junk, other=tmp_path / "other.npz") for a in args]
    result = CliRunner().invoke(cli, ["evaluate", str(run), "--features", str(extractor), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_evaluate_needs_a_checkpoint(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "config.json").write_text(TrainConfig.create("biggan", "lsa16", size="tiny").to_json())
    result = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "run")])
    assert result.exit_code == 2 and "checkpoint" in result.output
