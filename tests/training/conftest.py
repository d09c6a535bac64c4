"""Fixtures and helpers of the training tests."""

import csv
import pathlib

import numpy as np
import pytest

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def npz_dataset(tmp_path):
    """4 classes x 8 images of 32x32: each class a different colour blob."""
    rng = np.random.default_rng(0)
    x = np.zeros((32, 32, 32, 3), dtype="uint8")
    y = np.repeat(np.arange(4), 8)
    for i, label in enumerate(y):
        x[i, 8:24, 8:24, label % 3] = 200
        x[i] += rng.integers(0, 30, (32, 32, 3), dtype="uint8")
    path = tmp_path / "toy.npz"
    np.savez(path, x=x, y=y, class_names=np.array(["A", "B", "C", "D"]))
    return path


def read_csv(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))
