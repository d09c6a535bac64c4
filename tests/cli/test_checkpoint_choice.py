"""`signgan export` and `signgan evaluate` with --checkpoint latest|best|STEP."""

import json

import keras
import numpy as np
import pytest
from click.testing import CliRunner

from keras_signgan.cli.main import cli
from keras_signgan.config import TrainConfig
from keras_signgan.generators import load_generator
from keras_signgan.training import callbacks
from keras_signgan.training.fit import fit


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A tiny run with checkpoints at steps 2 and 4 whose best FID was at step 2, and one
    trained without --eval-every."""
    folder = tmp_path_factory.mktemp("choice")
    rng = np.random.default_rng(0)
    np.savez(folder / "toy.npz", x=rng.integers(0, 255, (12, 32, 32, 3), dtype="uint8"), y=np.repeat(np.arange(3), 4))
    inputs = keras.Input((16, 16, 3))
    outputs = keras.layers.Dense(4)(keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3)(inputs)))
    keras.Model(inputs, outputs).save(folder / "extractor.keras")
    values = dict(size="tiny", steps=4, batch_size=4, sample_every=4, checkpoint_every=2, log_every=2)
    fids = [1.0, 2.0]

    def scripted(source, num_samples=None, features=None, **kwargs):
        return {
            "metrics": {"fid": fids.pop(0), "kid": {"mean": 0.0, "std": 0.0}},
            "num_generated": num_samples,
            "extractor": features.identifier,
        }

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(callbacks, "evaluate", scripted)
        config = TrainConfig.create(
            "basic", str(folder / "toy.npz"), eval_every=2, eval_features=str(folder / "extractor.keras"), **values
        )
        fit(config, run_dir=folder / "evaluated", progress=False)
    fit(TrainConfig.create("basic", str(folder / "toy.npz"), **values), run_dir=folder / "plain", progress=False)
    return folder


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize(
    "choice, file, step", [("best", "best.npz", 2), ("4", "ckpt-0000004.npz", 4), ("latest", "ckpt-0000004.npz", 4)]
)
def test_evaluate_says_and_records_which_checkpoint_it_scored(choice, file, step, runs, tmp_path):
    out = tmp_path / "scores.json"
    result = invoke(
        "evaluate",
        runs / "evaluated",
        "--checkpoint",
        choice,
        "--metrics",
        "fid",
        "--num-samples",
        "6",
        "--features",
        runs / "extractor.keras",
        "--json",
        out,
    )
    assert result.exit_code == 0, result.output
    assert f"Checkpoint: {file} (step {step})" in result.output
    data = json.loads(out.read_text())
    assert (data["checkpoint"], data["step"]) == (file, step)


def test_export_best_exports_the_best_checkpoint(runs, tmp_path):
    result = invoke("export", runs / "evaluated", "--checkpoint", "best", "--out", tmp_path / "best")
    assert result.exit_code == 0, result.output
    assert "Exported best.npz (step 2)." in result.output
    metadata = json.loads((tmp_path / "best" / "signgan.json").read_text())
    assert (metadata["checkpoint"], metadata["step"]) == ("best.npz", 2)
    labels = [0, 1, 2, 0]
    exported = load_generator(tmp_path / "best").generate(labels, seed=3)
    np.testing.assert_array_equal(
        exported, load_generator(runs / "evaluated", checkpoint="best").generate(labels, seed=3)
    )
    assert not np.array_equal(exported, load_generator(runs / "evaluated").generate(labels, seed=3))


@pytest.mark.parametrize(
    "command, run, choice, message",
    [
        (
            "export",
            "plain",
            "best",
            "has no best checkpoint (checkpoints/best.npz): it is written when training evaluates FID, with signgan fit --eval-every N",
        ),
        ("evaluate", "plain", "best", "signgan fit --eval-every N"),
        ("export", "evaluated", "3", "has no checkpoint at step 3. It has: 2, 4 and best (step 2)."),
        ("evaluate", "evaluated", "7", "It has: 2, 4 and best (step 2)."),
        ("export", "evaluated", "newest", "--checkpoint must be latest, best or a step number. Received: 'newest'."),
    ],
)
def test_a_checkpoint_that_is_not_there_is_one_error_line(command, run, choice, message, runs, tmp_path):
    out = tmp_path / "out"
    options = ["--out", out] if command == "export" else ["--json", out / "x.json"]
    result = invoke(command, runs / run, "--checkpoint", choice, *options)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()


def test_an_export_has_no_checkpoints_to_choose(runs, tmp_path):
    assert invoke("export", runs / "evaluated", "--out", tmp_path / "e").exit_code == 0
    result = invoke("evaluate", tmp_path / "e", "--checkpoint", "best")
    assert result.exit_code == 2 and "is an export" in result.output
