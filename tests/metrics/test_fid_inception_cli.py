"""FID Inception through the CLI: `signgan features import`, then fit evaluating with it
(a module of its own, so pytest-xdist runs it beside the network tests)."""

import numpy as np
import pytest
from click.testing import CliRunner

from keras_signgan.cli.main import cli


@pytest.mark.slow
def test_import_then_fit_evaluates_with_fid_inception(default_1, tmp_path, keras_home):
    from keras_signgan.config import TrainConfig
    from keras_signgan.training.fit import fit

    result = CliRunner().invoke(cli, ["features", "import", "fid-inception", str(default_1)])
    assert result.exit_code == 0, result.output
    assert (keras_home / "signgan" / "fid_inception.keras").is_file()

    rng = np.random.default_rng(0)
    np.savez(tmp_path / "toy.npz", x=rng.integers(0, 255, (16, 32, 32, 3), dtype="uint8"), y=np.arange(16) % 2)
    config = TrainConfig.create(
        "basic", str(tmp_path / "toy.npz"), size="tiny", steps=2, batch_size=8, sample_every=2, checkpoint_every=2,
        eval_every=2, eval_samples=8, eval_features="fid-inception",
    )
    run = fit(config, run_dir=tmp_path / "run", progress=False).run_dir
    header, row = (run / "evaluations.csv").read_text().splitlines()
    assert header.split(",")[:2] == ["step", "fid"] and row.split(",")[-1] == "fid_inception_2015_12_05"
    assert np.isfinite(float(row.split(",")[1]))

    # The periodic evaluation's real statistics are cached under the extractor's name.
    assert any("fid_inception_2015_12_05" in p.name for p in (keras_home / "signgan" / "stats").glob("*.npz"))
