"""Labelled image grids: every label drawn whole, image cells at their fixed pixel size."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imread

from keras_signgan import plots

GRAY = 128
LONG_LABELS = ["Five", "Fingers together@270", "Thumb and Index Finger Out@270", "V@0"]
LSA64_FIRST_16 = [f"{name}@{angle}" for name in ("Five", "Four", "Horns", "Curve") for angle in (0, 90, 180, 270)]


def _grid(num_rows, columns=8, size=32):
    return np.full((num_rows, columns, size, size, 3), GRAY, dtype="uint8")


def _saved_figure(monkeypatch, rows, labels, path, title=None):
    """Save a grid and return the figure that was saved, laid out for measuring."""
    saved = []
    original = Figure.savefig

    def capture(fig, *args, **kwargs):
        saved.append(fig)
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", capture)
    plots.save_labelled_grid(rows, labels, path, title=title)
    (fig,) = saved
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    return fig, renderer


def _texts(fig):
    (ax,) = fig.axes
    texts = [t for t in ax.get_yticklabels() if t.get_text()]
    texts += [t for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]
    return texts


@pytest.mark.parametrize(
    "labels, title",
    [
        (LONG_LABELS, None),
        (LONG_LABELS, "a title much wider than the one column of images it sits above"),
        (LSA64_FIRST_16, None),
        (LSA64_FIRST_16, "lsa64: 3,200 images"),
    ],
)
def test_labels_lie_inside_the_figure(monkeypatch, tmp_path, labels, title):
    columns = 1 if title and len(title) > 40 else 8
    fig, renderer = _saved_figure(monkeypatch, _grid(len(labels), columns), labels, tmp_path / "grid.png", title)
    drawn = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert drawn == labels
    for text in _texts(fig):
        extent = text.get_window_extent(renderer)
        assert extent.x0 >= 0 and extent.y0 >= 0, (text.get_text(), extent)
        assert extent.x1 <= fig.bbox.x1 and extent.y1 <= fig.bbox.y1, (text.get_text(), extent)


@pytest.mark.parametrize("labels", [LONG_LABELS, LSA64_FIRST_16])
def test_png_has_blank_edges_and_labels_left_of_the_images(tmp_path, labels):
    path = plots.save_labelled_grid(_grid(len(labels)), labels, tmp_path / "grid.png")
    pixels = (imread(path)[..., :3] * 255).round().astype(int)
    ink = (pixels < 250).any(axis=-1)
    # A clipped label runs off the edge: its glyphs touch the first or last pixel column.
    assert not ink[:, 0].any() and not ink[:, -1].any()
    assert not ink[0].any() and not ink[-1].any()
    image_columns = np.flatnonzero((pixels == GRAY).all(axis=-1).sum(axis=0) >= 32)
    # The labels are drawn, left of the images.
    assert np.flatnonzero(ink.any(axis=0))[0] < image_columns[0] - 40


@pytest.mark.parametrize("size, cell", [(32, 35), (64, 120)])
def test_cells_keep_their_pixel_size_whatever_the_labels(tmp_path, size, cell):
    sizes = []
    for labels in (["V", "L"], ["Fingers together@270", "x" * 30]):
        path = plots.save_labelled_grid(_grid(2, columns=4, size=size), labels, tmp_path / "grid.png")
        gray = (imread(path)[..., :3] * 255).round().astype(int) == GRAY
        gray = gray.all(axis=-1)
        # Only the images have whole cells of gray pixels in a column or row, not the text.
        columns = np.flatnonzero(gray.sum(axis=0) >= cell)
        rows = np.flatnonzero(gray.sum(axis=1) >= cell)
        sizes.append((columns[-1] - columns[0] + 1, rows[-1] - rows[0] + 1))
    assert sizes == [(4 * cell, 2 * cell)] * 2
