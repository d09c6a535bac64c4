"""Image grids and charts, drawn with matplotlib's object-oriented API (no screen, no pyplot:
the caller's matplotlib backend is left as it is)."""

import numpy as np

from keras_signgan.io_utils import atomic_path


def tile_images(rows):
    """Tile uint8 images `(R, C, H, W, 3)` into one uint8 image `(R*H, C*W, 3)`."""
    rows = np.asarray(rows)
    r, c, h, w, ch = rows.shape
    return rows.transpose(0, 2, 1, 3, 4).reshape(r * h, c * w, ch)


def save_labelled_grid(rows, row_labels, path, title=None):
    """Save a PNG grid with one labelled row per class.

    Each image cell keeps a fixed size whatever the labels (35 px for a 32x32 image, 60 px per
    32 image pixels for larger ones: 120 px for 64x64); the margins around the images are
    measured from the drawn labels and title, so no text is clipped whatever its length.

    Args:
        rows: uint8 array (R, C, H, W, 3): R rows of C images.
        row_labels: list of R str, drawn left of each row.
        path: where the PNG goes (written atomically).
        title: str or None.
    """
    # The Agg canvas is this figure's own: the caller's matplotlib backend is left as it is.
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # heavy: grids only
    from matplotlib.figure import Figure  # heavy: grids only

    rows = np.asarray(rows)
    r, c, h, w, _ = rows.shape
    dpi = 100
    scale = 0.35 if h <= 32 else 0.6
    image_w, image_h = round(c * scale * w / 32 * dpi), round(r * scale * h / 32 * dpi)
    fig = Figure(figsize=(image_w / dpi, image_h / dpi), dpi=dpi)
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(tile_images(rows), interpolation="nearest")
    ax.set_aspect("auto")  # the axes box is given the images' exact shape below
    ax.set_yticks([(i + 0.5) * h for i in range(r)])
    ax.set_yticklabels([str(label) for label in row_labels], fontsize=8)
    ax.set_xticks([])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    # Text sizes are in points, so at a fixed dpi the room the labels and title take beside
    # the images does not depend on the figure's size: measure it once, then grow the figure
    # around the images by that much (plus a few pixels of white).
    fig.draw(renderer)
    text = ax.get_tightbbox(renderer)
    pad = 4
    left = pad + max(0, int(np.ceil(ax.bbox.x0 - text.x0)))
    right = pad + max(0, int(np.ceil(text.x1 - ax.bbox.x1)))
    bottom = pad + max(0, int(np.ceil(ax.bbox.y0 - text.y0)))
    top = pad + max(0, int(np.ceil(text.y1 - ax.bbox.y1)))
    fig_w, fig_h = left + image_w + right, bottom + image_h + top
    fig.set_size_inches(fig_w / dpi, fig_h / dpi)
    ax.set_position((left / fig_w, bottom / fig_h, image_w / fig_w, image_h / fig_h))
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return path
