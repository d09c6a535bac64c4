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


def _best(rows):
    """The row of lowest finite FID, or None."""
    scored = [row for row in rows if row.get("fid") is not None and np.isfinite(row["fid"])]
    return min(scored, key=lambda row: row["fid"]) if scored else None


def fid_curve_figure(curves):
    """A matplotlib Figure of FID during training: FID against wall-clock minutes (left) and
    against steps (right), one line per run, each run's best point starred and its figures
    in the run's legend entry (text beside the points would run into other runs' labels
    and the axes' edge).

    Args:
        curves: list of `(label, rows)`: rows as `runs.read_evaluations` gives them (dicts
            with `step`, `fid` and `wall_seconds`, the last None where not recorded).
    """
    from matplotlib.figure import Figure  # heavy: only when a chart is drawn

    fig = Figure(figsize=(10, 4), dpi=100)
    by_time, by_step = fig.subplots(1, 2, sharey=True)
    untimed = []
    for index, (label, rows) in enumerate(curves):
        color = f"C{index % 10}"
        scored = [row for row in rows if row.get("fid") is not None and np.isfinite(row["fid"])]
        best = _best(scored)
        note = None if best is None else f"best {best['fid']:.4g} @ {best['step']}"
        by_step.plot(
            [r["step"] for r in scored],
            [r["fid"] for r in scored],
            "o-",
            color=color,
            markersize=3,
            label=label if note is None else f"{label}: {note}",
        )
        timed = [row for row in scored if row.get("wall_seconds") is not None]
        if timed:
            by_time.plot(
                [r["wall_seconds"] / 60 for r in timed],
                [r["fid"] for r in timed],
                "o-",
                color=color,
                markersize=3,
                label=label,
            )
        if len(timed) < len(scored):
            untimed.append(label)
        if best is None:
            continue
        by_step.plot(
            [best["step"]], [best["fid"]], "*", color=color, markersize=14, markeredgecolor="black", label=f"_{note}"
        )
        if best.get("wall_seconds") is not None:
            by_time.plot(
                [best["wall_seconds"] / 60],
                [best["fid"]],
                "*",
                color=color,
                markersize=14,
                markeredgecolor="black",
                label=f"_{note}",
            )
    by_time.set_xlabel("wall-clock minutes (evaluations included)")
    by_time.set_ylabel("FID")
    by_step.set_xlabel("step")
    by_time.set_title("FID against time", fontsize=10)
    by_step.set_title("FID against steps", fontsize=10)
    if untimed:
        by_time.text(
            0.02,
            0.02,
            "no wall times recorded: " + ", ".join(untimed),
            transform=by_time.transAxes,
            fontsize=8,
            va="bottom",
        )
    for ax in (by_time, by_step):
        ax.grid(alpha=0.3)
    by_step.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def plot_fid_curves(curves, path):
    """Save `fid_curve_figure(curves)` as a PNG at `path` (atomically); return the path."""
    fig = fid_curve_figure(curves)
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
