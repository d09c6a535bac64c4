"""Artefacts written by earlier versions, translated once, at load, into today's form.

The one place that knows what older files meant (as StyleGAN3's `legacy.py` does for its
pickles); everything else reads only today's form:

- config.json without `layout` (runs made before layout options were recorded): its
  `arch_revision` (absent: 1) becomes the layout options the networks of that revision
  had (`upgrade_config`); a layout without an option added since gets the value every
  earlier run of its size had (`ADDED_LAYOUT_OPTIONS`).
- Checkpoint format 1 (no `__format__` entry: each group's variables saved by position)
  becomes format 2, every array keyed by network and variable path (`upgrade_checkpoint`).
- results.json version 1 (one training fraction, folds called repeats) becomes version 2
  (`upgrade_results`).
"""

import numpy as np

from keras_signgan.errors import IncompatibleCheckpoint, RunError
from keras_signgan.models import FAMILIES


def _earlier_d_channels(size):
    """BigGAN discriminators had 4*ch channels (ch of their size's preset) until `d_channels`."""
    return 4 * FAMILIES["biggan"].PRESETS[size].widths["ch"]


# Layout options added after layouts were recorded: {model: {option: what runs made before
# it used, a function of the run's size}}. WCGAN critics were spectrally normalised until
# `critic_norm` existed; BigGAN discriminators as wide as their generators until `d_channels`,
# and without the minibatch standard deviation until `d_minibatch_std`.
ADDED_LAYOUT_OPTIONS = {
    "wcgan": {"critic_norm": lambda size: "spectral"},
    "biggan": {"d_channels": _earlier_d_channels, "d_minibatch_std": lambda size: "off"},
}


def revision_layout(model, size, image_size, revision):
    """The layout options of a family's networks at `arch_revision` `revision`.

    biggan: revision 1 down-sampled its discriminator to 4x4 at every image size
    ("imagenet") with 4*ch channels at full resolution; revision 2 follows BigGAN's CIFAR
    discriminator up to 32x32 and gives the small preset's full-resolution blocks 32
    channels; every revision's discriminator had 4*ch channels below full resolution and no
    minibatch standard deviation.
    wcgan: revisions 1 and 2 doubled the generator's resolution with transposed convolutions;
    revision 3 resizes, then convolves. basic: no options.
    """
    widths = FAMILIES[model].PRESETS[size].widths
    if model == "biggan":
        full_res = widths["full_res"] if revision >= 2 and widths["full_res"] is not None else 4 * widths["ch"]
        return {
            "d_downsampling": "cifar" if revision >= 2 and image_size <= 32 else "imagenet",
            "full_res_channels": full_res,
            "d_channels": _earlier_d_channels(size),
            "d_minibatch_std": "off",
        }
    if model == "wcgan":
        return {"g_upsampling": "resize-conv" if revision >= 3 else "transposed", "critic_norm": "spectral"}
    return {}


def upgrade_config(data):
    """A config.json object of any version, with today's keys.

    Written before layout options were recorded, it has `arch_revision` (a number whose
    meaning differed per family; before that key existed, none: revision 1) and no
    `layout`: the revision becomes the family's layout options. A layout written before
    an option of `ADDED_LAYOUT_OPTIONS` existed gets that option's earlier value for its
    size. Anything it cannot read (an unknown model or size) is left for `TrainConfig` to
    refuse by name.
    """
    if not isinstance(data, dict):
        return data
    if "layout" in data:
        model, size, layout = data.get("model"), data.get("size", "small"), data["layout"]
        added = ADDED_LAYOUT_OPTIONS.get(model, {})
        known_size = bool(added) and isinstance(size, str) and size in FAMILIES[model].PRESETS
        if isinstance(layout, dict) and set(added) - set(layout) and known_size:
            data = dict(data, layout={**{name: earlier(size) for name, earlier in added.items()}, **layout})
        return data
    data = dict(data)
    revision = data.pop("arch_revision", 1)
    model, size = data.get("model"), data.get("size", "small")
    if model in FAMILIES and size in FAMILIES[model].PRESETS and isinstance(revision, int):
        data["layout"] = revision_layout(model, size, data.get("image_size", 32), revision)
    return data


def upgrade_checkpoint(arrays, gan, keys, path, include_optimizers=True):
    """The arrays of a checkpoint file in format 2: keyed `model/<network>/<path>`,
    `model/gan/<path>`, `<d|g>_optimizer/<path>` (see `keras_signgan.runs`).

    A format-1 file (no `__format__` entry) holds each group's variables in a fixed order:
    `model/<i>` in the order of `gan.variables`, `d_optimizer/<i>` and `g_optimizer/<i>` in
    the order of each optimizer's `variables` (only the first group without
    `include_optimizers`); they are paired by position with `keys` (`{format-2 key:
    variable}` of `gan`). IncompatibleCheckpoint when a group's count differs. Other formats
    are returned as they are.
    """
    if "__format__" in arrays:
        return arrays
    key_of = {id(variable): key for key, variable in keys.items()}
    groups = {"model": gan.variables}
    if include_optimizers:
        groups.update(d_optimizer=gan.d_optimizer.variables, g_optimizer=gan.g_optimizer.variables)
    upgraded = {key: value for key, value in arrays.items() if not key.startswith(tuple(f"{g}/" for g in groups))}
    for group, variables in groups.items():
        saved = sorted(k for k in arrays if k.startswith(group + "/"))
        if len(saved) != len(variables):
            raise IncompatibleCheckpoint(
                f"Checkpoint {path} holds {len(saved)} {group} variables, the model has "
                f"{len(variables)}: it was written by a different architecture or configuration."
            )
        upgraded.update((key_of[id(variable)], arrays[name]) for variable, name in zip(variables, saved))
    upgraded["__format__"] = np.asarray(2, dtype="int64")
    return upgraded


def upgrade_results(results, path):
    """A results.json object of version 1 or 2, as version 2.

    Version 1 had one training fraction (1.0), called folds repeats, recorded no GANs and
    said nothing of whether the generator saw the test images (so: "unknown"). Its summary
    is dropped; the reader recomputes it from the runs. RunError for a newer version.
    """
    version = results.get("version", 1)
    if version > 2:
        raise RunError(f"{path} is results version {version}; this keras_signgan reads up to 2.")
    if version == 1:
        for run in results["runs"]:
            run.setdefault("fold", run.get("repeat", 0))
            run.setdefault("fraction", 1.0)
        results["settings"].setdefault("fractions", [1.0])
        results["settings"].setdefault("generator_saw_test", "unknown")
        results.setdefault("gans", {})
        results.pop("summary", None)
        results["version"] = 2
    return results
