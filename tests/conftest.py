"""Shared pytest fixtures. Tests run offline; every test gets its own Keras cache."""

import os
import pathlib

import pytest

import keras_signgan  # noqa: F401  (sets KERAS_BACKEND before keras is imported)

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATASETS = pathlib.Path(
    os.environ.get("SIGNGAN_SHARED_DATASETS", PROJECT_ROOT.parent / "shared" / "datasets")
)
REAL_LSA16_ZIP = SHARED_DATASETS / "lsa16" / "lsa32x32_nr_rgb_black_background.zip"


@pytest.fixture(autouse=True)
def keras_home(tmp_path_factory, monkeypatch):
    """An empty, private KERAS_HOME so tests never read or write the user's cache."""
    home = tmp_path_factory.mktemp("keras_home")
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


@pytest.fixture
def real_lsa16_zip():
    """The real LSA16 archive kept beside the project; the test is skipped without it."""
    if not REAL_LSA16_ZIP.exists():
        pytest.skip(f"real LSA16 archive not found at {REAL_LSA16_ZIP}")
    return REAL_LSA16_ZIP
