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

    Args:
        rows: uint8 array (R, C, H, W, 3): R rows of C images.
        row_labels: list of R str, drawn left of each row.
        path: where the PNG goes (written atomically).
        title: str or None.
    """
    from matplotlib.figure import Figure  # heavy: only when a grid is drawn

    rows = np.asarray(rows)
    r, c, h, w, _ = rows.shape
    scale = 0.35 if h <= 32 else 0.6
    label_width = 0.12 * max([len(str(label)) for label in row_labels] + [4])
    fig_w, fig_h = label_width + c * scale * w / 32, 0.3 + r * scale * h / 32
    fig = Figure(figsize=(max(fig_w, 2.0), max(fig_h, 1.0)), dpi=100)
    ax = fig.subplots()
    ax.imshow(tile_images(rows), interpolation="nearest")
    ax.set_yticks([(i + 0.5) * h for i in range(r)])
    ax.set_yticklabels([str(label) for label in row_labels], fontsize=8)
    ax.set_xticks([])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout(pad=0.2)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    return path


def save_errorbar_chart(lines, path, title=None, xlabel=None, ylabel=None, ylim=None, log_x=False):
    """Save a PNG chart of lines with error bars, one legend entry each.

    Args:
        lines: list of `(label, x, y, err)`: the points of a line and their half-widths.
        path: where the PNG goes (written atomically).
        title, xlabel, ylabel: str or None.
        ylim: `(low, high)` or None.
        log_x: bool. A logarithmic x axis.
    """
    from matplotlib.figure import Figure  # heavy: only when a chart is drawn

    fig = Figure(figsize=(6, 4), dpi=100)
    ax = fig.subplots()
    for label, x, y, err in lines:
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=label)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel or "")
    ax.set_ylabel(ylabel or "")
    if ylim is not None:
        ax.set_ylim(*ylim)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    return path
