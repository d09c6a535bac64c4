"""`signgan augment` through the command line: results files and resume, the --generator
warning, and usage errors."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from keras_signgan.cli.main import cli

CLASSES = ["P", "Q", "R"]
GAN = {"size": "tiny", "steps": 2, "sample_every": 2, "checkpoint_every": 2}


def test_results_files_and_resume(augment_toy, tmp_path):
    folder, run = augment_toy
    out = tmp_path / "out"
    args = [
        "augment",
        str(folder / "toy.npz"),
        "--generator",
        str(run),
        "--ratios",
        "0,100",
        "--repeats",
        "1",
        "--epochs",
        "1",
        "--width",
        "4",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text())
    assert set(data) == {"version", "settings", "gans", "runs", "summary"} and data["version"] == 2
    assert {"ratio", "split", "repeat", "accuracy", "augmentation"} <= set(data["runs"][0])
    assert [(s["augmentation"], s["ratio"]) for s in data["summary"]] == [
        ("none", 0),
        ("classical", 0),
        ("gan", 100),
        ("gan+classical", 100),
        ("filtered+classical", 100),
        ("synthetic", 100),
    ]
    text = (out / "results.md").read_text()
    assert "| real + 100% generated | " in text and "| real + classical + 100% filtered generated | " in text
    # The generator's filtered images, by the real-only classifier kept for them (default 0.9).
    (filtered,) = [r for r in data["runs"] if r["augmentation"] == "filtered+classical"]
    assert filtered["filter"]["threshold"] == 0.9 and filtered["num_synthetic"] == filtered["filter"]["num_kept"]
    assert (out / "classifiers" / "0-f1.npz").is_file()
    assert (out / "accuracy.png").stat().st_size > 0
    # Without --resume an existing experiment is not overwritten.
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2 and "--resume" in again.output
    # --resume runs only the missing cells: here the second repeat.
    data["runs"] = [r for r in data["runs"] if r["augmentation"] != "gan"]
    (out / "results.json").write_text(json.dumps(data))
    resumed = CliRunner().invoke(cli, args + ["--resume", "--repeats", "2"])
    assert resumed.exit_code == 0, resumed.output
    assert "5 finished cell(s) kept, 7 to run" in resumed.output
    runs = json.loads((out / "results.json").read_text())["runs"]
    assert sorted((r["augmentation"], r["repeat"]) for r in runs) == sorted(
        (name, repeat)
        for name in ("none", "classical", "gan", "gan+classical", "filtered+classical", "synthetic")
        for repeat in (0, 1)
    )


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost KeyboardInterrupt
def test_a_sigterm_lost_in_a_finalizer_still_stops_the_study_with_its_cells_kept(augment_toy, tmp_path, monkeypatch):
    import signal

    from keras_signgan.augment import cells
    from tests.test_interrupts import signal_inside_a_finalizer

    folder, run = augment_toy
    original, fits = cells.train_classifier, []

    def train(*args, **kwargs):
        fits.append(1)
        if len(fits) == 1:  # during the first fit; its KeyboardInterrupt is lost
            signal_inside_a_finalizer(signal.SIGTERM)
        return original(*args, **kwargs)

    monkeypatch.setattr(cells, "train_classifier", train)
    out = tmp_path / "out"
    args = ["augment", str(folder / "toy.npz"), "--generator", str(run), "--ratios", "0,100"]
    args += ["--repeats", "1", "--epochs", "1", "--width", "4", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 130 and "Interrupted; finished GANs and cells are in" in result.output
    assert len(fits) == 1 and len(json.loads((out / "results.json").read_text())["runs"]) == 1


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--ratios", "0,abc"], "--ratios must be numbers >= 0"),
        (["--ratios", "-5"], "--ratios must be numbers >= 0"),
        (["--split", "subject"], "no subject metadata"),
        (["--generator", "{other_run}"], "The generator has 3 classes and"),
    ],
)
def test_augment_errors(augment_toy, tmp_path, extra, message):
    folder, run = augment_toy
    dataset = folder / "toy.npz"
    if "{other_run}" in extra:
        np.savez(tmp_path / "two.npz", x=np.zeros((4, 32, 32, 3), "uint8"), y=np.array([0, 0, 1, 1]))
        dataset = tmp_path / "two.npz"
        extra = ["--generator", str(run)]
    result = CliRunner().invoke(
        cli, ["augment", str(dataset), "--generator", str(run), "--out", str(tmp_path / "o"), *extra]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o" / "results.json").exists()


def test_external_generator_is_flagged(tmp_path):
    from keras_signgan.config import TrainConfig
    from keras_signgan.training.fit import fit

    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 6)
    np.savez(
        tmp_path / "toy.npz", x=rng.integers(0, 255, (18, 32, 32, 3), dtype="uint8"), y=y, class_names=np.array(CLASSES)
    )
    config = TrainConfig.create("wcgan", str(tmp_path / "toy.npz"), batch_size=8, **GAN)
    run_dir = fit(config, run_dir=tmp_path / "run", progress=False).run_dir
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "augment",
            str(tmp_path / "toy.npz"),
            "--generator",
            str(run_dir),
            "--ratios",
            "100",
            "--repeats",
            "1",
            "--epochs",
            "1",
            "--width",
            "4",
            "--no-classical",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((out / "results.json").read_text())["settings"]["generator_saw_test"] == "unknown"
    assert (out / "results.md").read_text().startswith("**Warning:** the generator was trained elsewhere")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "wcgan", "--generator", "x"], "not both or neither"),
        ([], "not both or neither"),
        (["--model", "wcgan", "--folds", "2"], "--folds goes with --split subject"),
        (["--model", "wcgan", "--train-fractions", "0,1"], "--train-fractions must be numbers > 0 and <= 1"),
        (["--model", "wcgan", "--split", "subject", "--folds", "3"], "no subject metadata"),
        (["--generator", "x", "--gan-target-fid", "50"], "--gan-target-fid goes with --model"),
        (["--model", "wcgan", "--gan-eval-every", "100"], "--gan-eval-every goes with --gan-target-fid"),
        (["--model", "wcgan", "--gan-eval-features", "none.keras"], "--gan-eval-features none.keras: not a .keras"),
        (["--model", "wcgan", "--filter-confidence", "1.5"], "Invalid value for '--filter-confidence'"),
        (["--model", "wcgan", "--gan-target-fid", "0"], "Invalid value for '--gan-target-fid'"),
        (["--generator", "x", "--gan-workers", "2"], "--gan-workers goes with --model"),
        (["--model", "wcgan", "--gan-workers", "0"], "Invalid value for '--gan-workers'"),
    ],
)
def test_augment_usage_errors(tmp_path, args, message):
    np.savez(tmp_path / "d.npz", x=np.zeros((4, 32, 32, 3), "uint8"), y=np.array([0, 0, 1, 1]))
    result = CliRunner().invoke(cli, ["augment", str(tmp_path / "d.npz"), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
