"""`signgan plot` and the FID-curve figure: two panels, one line per run, best points marked."""

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from keras_signgan.cli.main import cli
from keras_signgan.plots import fid_curve_figure
from keras_signgan.runs import EVALUATION_COLUMNS, read_evaluations

NEW = [  # step, fid, wall_seconds
    (100, 90.0, 60.0),
    (200, 55.5, 125.0),
    (300, 61.0, 190.0),
]
OLD = "step,fid,kid,kid_std,num_generated,extractor\n100,120.0,0.2,0.01,500,x\n200,80.0,0.1,0.01,500,x\n"


def make_run(folder, rows=None, text=None):
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    if rows is not None:
        lines = [",".join(EVALUATION_COLUMNS)]
        lines += [f"{s},{f},0.1,0.01,500,x,{s * 32},{w},5.0" for s, f, w in rows]
        text = "\n".join(lines) + "\n"
    if text is not None:
        (folder / "evaluations.csv").write_text(text)
    return folder


def plotted(ax):
    """`{label: (x, y)}` of an axis' lines (best markers are labelled `_best ...`)."""
    return {line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in ax.get_lines()}


def test_the_figure_has_time_and_step_panels_with_the_best_points_marked(tmp_path):
    new = read_evaluations(make_run(tmp_path / "biggan-new", NEW))
    old = read_evaluations(make_run(tmp_path / "wcgan-old", text=OLD))
    fig = fid_curve_figure([("biggan-new", new), ("wcgan-old", old)])
    by_time, by_step = fig.axes
    assert by_time.get_xlabel().startswith("wall-clock minutes") and by_step.get_xlabel() == "step"

    lines = plotted(by_step)
    assert lines["biggan-new: best 55.5 @ 200"] == ([100, 200, 300], [90.0, 55.5, 61.0])
    assert lines["wcgan-old: best 80 @ 200"] == ([100, 200], [120.0, 80.0])
    assert lines["_best 55.5 @ 200"] == ([200], [55.5]) and lines["_best 80 @ 200"] == ([200], [80.0])
    legend = [t.get_text() for t in by_step.get_legend().get_texts()]
    assert legend == ["biggan-new: best 55.5 @ 200", "wcgan-old: best 80 @ 200"]

    lines = plotted(by_time)  # the old run recorded no times: only the new one, in minutes
    assert lines["biggan-new"][0] == pytest.approx([1.0, 125 / 60, 190 / 60])
    assert not any(key.startswith("wcgan-old") for key in lines)
    assert lines["_best 55.5 @ 200"][0] == pytest.approx([125 / 60])
    assert any("no wall times recorded: wcgan-old" in t.get_text() for t in by_time.texts)


# Two LSA64 runs: a best of 39.55 at step 15,000, and a lower one at the last step, 18,000.
LSA64_D64 = [(3000, 70.31, 1217.0), (9000, 64.27, 2007.0), (15000, 39.55, 2775.0), (18000, 39.84, 4032.0)]
LSA64_D128 = [(3000, 116.32, 553.0), (9000, 48.16, 1659.0), (15000, 36.01, 2778.0), (18000, 35.20, 3373.0)]


def best_note(rows):
    step, fid, _ = min(rows, key=lambda row: row[1])
    return f"best {fid:.4g} @ {step}"


@pytest.mark.parametrize("first, second", [(NEW, NEW), (LSA64_D64, LSA64_D128)], ids=["same-best", "later-best"])
def test_the_texts_of_close_best_points_neither_overlap_nor_leave_the_figure(tmp_path, first, second):
    # Labels beside the best points once overlapped and ran past the axes' right edge (the
    # LSA64 pair): the figures now sit in the legend.
    a = read_evaluations(make_run(tmp_path / "a", first))
    b = read_evaluations(make_run(tmp_path / "b", second))
    fig = fid_curve_figure([("run-a", a), ("run-b", b)])
    canvas = FigureCanvasAgg(fig)  # where plot_fid_curves saves it: the texts' places are known after a draw
    canvas.draw()
    texts = [t for ax in fig.axes for t in ax.texts] + list(fig.axes[1].get_legend().get_texts())
    assert [t.get_text() for t in texts if "best" in t.get_text()] == [
        f"run-a: {best_note(first)}",
        f"run-b: {best_note(second)}",
    ]
    boxes = [t.get_window_extent(canvas.get_renderer()) for t in texts]
    for index, box in enumerate(boxes):
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1
        assert not any(box.overlaps(other) for other in boxes[index + 1 :])


def invoke(*args):
    return CliRunner().invoke(cli, ["plot", *[str(a) for a in args]])


def test_plot_one_run_writes_its_fid_curve(tmp_path):
    run = make_run(tmp_path / "run", NEW)
    result = invoke(run)
    assert result.exit_code == 0, result.output
    assert "run: 3 evaluations, best FID 55.5 at step 200, 2.1 min" in result.output
    image = np.asarray(Image.open(run / "fid-curve.png").convert("RGB"))
    assert image.shape == (400, 1000, 3) and image.std() > 0


def test_plot_several_runs_needs_out(tmp_path):
    a, b = make_run(tmp_path / "a" / "run", NEW), make_run(tmp_path / "b" / "run", text=OLD)
    result = invoke(a, b)
    assert result.exit_code == 2 and "--out FILE.png" in result.output
    result = invoke(a, b, "--out", tmp_path / "both.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "both.png").is_file()
    assert f"{a}: 3 evaluations" in result.output and f"{b}: 2 evaluations" in result.output  # same names: paths


@pytest.mark.parametrize(
    "setup, extra, message",
    [
        (
            lambda p: make_run(p / "run"),
            [],
            "has no evaluations.csv: FID is recorded during training with signgan fit --eval-every N",
        ),
        (lambda p: make_run(p / "run", text="step,fid\n"), [], "has no evaluations yet"),
        (lambda p: p / "nowhere", [], "is not a run directory"),
        (lambda p: make_run(p / "run", NEW), ["--out", "curve.jpg"], "--out must end in .png"),
    ],
)
def test_plot_errors_are_one_line_and_write_nothing(setup, extra, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = setup(tmp_path)
    result = invoke(run, *extra)
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not list(tmp_path.rglob("*.png")) and not list(tmp_path.rglob("*.jpg"))
