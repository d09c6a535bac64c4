"""`signgan fit`: usage errors, resuming with changed options, and a run on the real LSA16."""

import dataclasses
import json

import numpy as np
import pytest
from click.testing import CliRunner

from keras_signgan.cli.main import cli
from keras_signgan.runs import list_checkpoints
from keras_signgan.training.fit import fit
from tests.conftest import read_csv, tiny_config


def run_cli(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_cli_errors_are_one_line_exit_2(npz_dataset, tmp_path):
    result = run_cli("fit", "biggan", npz_dataset, "--size", "tiny", "--batch-size", "64", "--run-dir", tmp_path / "a")
    assert result.exit_code == 2 and "larger than the dataset" in result.output
    assert not (tmp_path / "a").exists()

    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "file").write_text("x")
    result = run_cli("fit", "biggan", npz_dataset, "--size", "tiny", "--run-dir", busy)
    assert result.exit_code == 2 and "--resume" in result.output

    empty_run = tmp_path / "empty_run"
    empty_run.mkdir()
    (empty_run / "config.json").write_text(tiny_config("biggan", npz_dataset).to_json())
    result = run_cli("fit", "--resume", empty_run)
    assert result.exit_code == 2 and "no checkpoint" in result.output

    result = run_cli("fit", "stylegan", npz_dataset)
    assert result.exit_code == 2 and "biggan" in result.output

    result = run_cli("fit", "biggan", npz_dataset, "--steps", "0")
    assert result.exit_code == 2


def test_cli_fit_on_the_real_lsa16(real_lsa16_zip, tmp_path):
    from keras_signgan.data import import_archive

    import_archive("lsa16", real_lsa16_zip)
    run_dir = tmp_path / "R"
    result = CliRunner().invoke(
        cli,
        [
            "fit",
            "biggan",
            "lsa16",
            "--size",
            "tiny",
            "--steps",
            "12",
            "--batch-size",
            "16",
            "--sample-every",
            "6",
            "--checkpoint-every",
            "6",
            "--run-dir",
            str(run_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    config = json.loads((run_dir / "config.json").read_text())
    assert config["class_names"][0] == "Five" and len(config["class_names"]) == 16
    assert [step for step, _ in list_checkpoints(run_dir)] == [6, 12]
    assert sorted(p.name for p in (run_dir / "samples").iterdir()) == ["real.png", "step-000006.png", "step-000012.png"]
    assert [int(r["step"]) for r in read_csv(run_dir / "metrics.csv")] == list(range(1, 13))


def test_resume_changes_the_options_it_can_and_refuses_the_others_by_name(npz_dataset, tmp_path):
    run_dir = tmp_path / "run"
    fit(tiny_config("basic", npz_dataset, steps=2), run_dir=run_dir, progress=False)
    before = (run_dir / "config.json").read_text()
    result = run_cli("fit", "--resume", run_dir, "--z-dim", "8", "--steps", "3")
    assert result.exit_code == 2 and "--resume cannot change --z-dim" in result.output
    assert "Traceback" not in result.output and (run_dir / "config.json").read_text() == before
    assert [s for s, _ in list_checkpoints(run_dir)] == [2]

    result = run_cli("fit", "--resume", run_dir, "--steps", "3", "--g-lr", "0.5", "--checkpoint-every", "3")
    assert result.exit_code == 0, result.output
    config = json.loads((run_dir / "config.json").read_text())
    assert config["g_lr"] == 0.5 and config["steps"] == 3 and config["checkpoint_every"] == 3
    assert "Changed on resume:" in result.output and "-> 0.5" in result.output
    with np.load(list_checkpoints(run_dir)[-1][1]) as data:
        rates = sorted(float(data[k]) for k in data.files if data[k].shape == () and data[k].dtype.kind == "f")
    assert 0.5 in rates  # the generator's Adam trained on with the new rate


@pytest.mark.parametrize(
    "args, message",
    [
        (["biggan", "--diffaugment", "colour"], "Unknown --diffaugment part 'colour'"),
        (["biggan", "--z-dim", "3"], "--z-dim 3 is too small"),
        (["basic", "--image-size", "12"], "--image-size must be a power of two"),
        (["basic", "--g-lr", "-0.001"], "--g-lr must be > 0"),
        (["basic", "--d-lr", "-1"], "--d-lr must be > 0"),
        (["basic", "--eval-every", "1", "--eval-features", "missing.keras"], "missing.keras: no such file"),
        (["wcgan", "--size", "long"], "Unknown size preset 'long' for wcgan. Valid sizes: tiny, small, base."),
    ],
)
def test_refused_options_exit_2_and_write_nothing(args, message, npz_dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model, *rest = args
    result = run_cli("fit", model, npz_dataset, "--size", "tiny", "--steps", "1", *rest)
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "runs").exists()
    result = run_cli("fit", model, npz_dataset, "--size", "tiny", "--steps", "1", *rest, "--run-dir", tmp_path / "D")
    assert result.exit_code == 2 and not (tmp_path / "D").exists()


def test_consistency_is_recorded_and_refused_without_diffaugment(npz_dataset):
    result = run_cli("fit", "biggan", npz_dataset, "--size", "tiny", "--consistency", "10", "--dry-run")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["consistency"] == 10.0
    result = run_cli("fit", "biggan", npz_dataset, "--consistency", "1", "--diffaugment", "", "--dry-run")
    assert result.exit_code == 2 and "--consistency" in result.output and "--diffaugment" in result.output
    assert "Traceback" not in result.output


def test_adam_betas_lr_decay_and_mode_seeking_are_recorded_in_the_config(npz_dataset):
    options = ["--beta-1", "0.5", "--beta-2", "0.99", "--mode-seeking", "0.5", "--lr-decay", "0.25", "--dry-run"]
    result = run_cli("fit", "wcgan", npz_dataset, "--size", "tiny", *options)
    assert result.exit_code == 0, result.output
    config = json.loads(result.output)
    assert (config["beta_1"], config["beta_2"], config["mode_seeking"], config["lr_decay"]) == (0.5, 0.99, 0.5, 0.25)
    result = run_cli("fit", "wcgan", npz_dataset, "--lr-decay", "2", "--dry-run")
    assert result.exit_code == 2 and "--lr-decay" in result.output
    result = run_cli("fit", "wcgan", npz_dataset, "--size", "tiny", "--dry-run")
    assert (json.loads(result.output)["beta_1"], json.loads(result.output)["mode_seeking"]) == (0.0, 0.0)
    result = run_cli("fit", "wcgan", npz_dataset, "--beta-2", "1.5", "--dry-run")
    assert result.exit_code == 2 and "--beta-2" in result.output


def test_diffaugment_probability_is_recorded_and_builds_the_augmenter(npz_dataset):
    from keras_signgan.config import TrainConfig
    from keras_signgan.models.build import build_gan

    result = run_cli("fit", "biggan", npz_dataset, "--size", "tiny", "--diffaugment-probability", "0.5", "--dry-run")
    assert result.exit_code == 0, result.output
    config = TrainConfig.from_json(result.output)
    assert config.diffaugment_probability == 0.5
    gan = build_gan(dataclasses.replace(config, class_names=["a", "b", "c"]))
    assert gan.augmenter.probability == 0.5 and gan.augmenter.get_config()["probability"] == 0.5
    result = run_cli("fit", "biggan", npz_dataset, "--diffaugment-probability", "0", "--dry-run")
    assert result.exit_code == 2 and "--diffaugment-probability" in result.output


@pytest.mark.parametrize(
    "flag, value, model, other, option",
    [
        ("--critic-norm", "none", "wcgan", "biggan", "critic_norm"),
        ("--minibatch-std", "on", "biggan", "wcgan", "d_minibatch_std"),
    ],
)
def test_layout_flags_set_their_models_option_fixed_for_the_run(
    flag, value, model, other, option, npz_dataset, tmp_path
):
    result = run_cli("fit", model, npz_dataset, "--size", "tiny", flag, value, "--dry-run")
    assert result.exit_code == 0 and json.loads(result.output)["layout"][option] == value
    result = run_cli("fit", other, npz_dataset, flag, value, "--dry-run")
    assert result.exit_code == 2 and f"{flag} applies to {model} only" in result.output
    result = run_cli("fit", "--resume", tmp_path, flag, value)
    assert result.exit_code == 2 and f"--resume cannot change {flag}" in result.output


def test_minibatch_std_needs_a_batch_of_a_multiple_of_4(npz_dataset):
    result = run_cli("fit", "biggan", npz_dataset, "--minibatch-std", "on", "--batch-size", "30", "--dry-run")
    assert result.exit_code == 2 and "--batch-size must be a multiple of 4" in result.output


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost KeyboardInterrupt
@pytest.mark.parametrize("where", ["step", "finalizer"])
def test_sigterm_stops_a_run_as_ctrl_c_does_with_its_state_saved(npz_dataset, tmp_path, monkeypatch, where):
    import os
    import signal

    from keras_signgan.training import callbacks
    from tests.test_interrupts import signal_inside_a_finalizer

    original = callbacks.TrainingProgress.on_train_batch_end

    def kill_at_step_5(self, batch, logs=None):
        original(self, batch, logs)
        if batch == 4 and where == "step":
            os.kill(os.getpid(), signal.SIGTERM)
        elif batch == 4:  # its KeyboardInterrupt is lost; the run stops after the step anyway
            signal_inside_a_finalizer(signal.SIGTERM)

    monkeypatch.setattr(callbacks.TrainingProgress, "on_train_batch_end", kill_at_step_5)
    before = signal.getsignal(signal.SIGTERM)
    run_dir = tmp_path / "run"
    args = ("--size", "tiny", "--steps", "12", "--checkpoint-every", "100", "--sample-every", "100")
    result = run_cli("fit", "basic", npz_dataset, *args, "--run-dir", run_dir)
    assert result.exit_code == 130 and "Interrupted at step 5; state saved" in result.output
    assert [s for s, _ in list_checkpoints(run_dir)] == [5]
    assert signal.getsignal(signal.SIGTERM) is before
    monkeypatch.setattr(callbacks.TrainingProgress, "on_train_batch_end", original)
    result = run_cli("fit", "--resume", run_dir)
    assert result.exit_code == 0, result.output
    assert [s for s, _ in list_checkpoints(run_dir)][-1] == 12
