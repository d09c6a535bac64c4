"""Tensors from PyTorch files as NumPy arrays, without torch and without running pickled code.

Reads the three layouts weights are shipped in:

- `torch.save` since PyTorch 1.6: a zip holding `<name>/data.pkl` (the pickled object) and
  `<name>/data/<key>` (each tensor storage's raw bytes);
- `torch.save` before 1.6 ("legacy"): four pickles (magic number, protocol, system info,
  the object), the list of storage keys, then each storage as an int64 element count and
  its raw bytes;
- TorchScript archives (`torch.jit.save`): the zip layout, with the modules pickled as
  `__torch__.*` objects whose attributes are their parameters (their `code/` is ignored).

Pickles are read by an unpickler that resolves only the few names tensors need (storage
types, `torch._utils._rebuild_tensor_v2`, `collections.OrderedDict`, TorchScript's list
builders) to NumPy stand-ins; any other global (`os.system`, `builtins.eval`, ...) stops
reading with a `TorchFileError`. Tensors are rebuilt with bounds-checked strides and
copied, so a crafted file cannot make them read outside their storage.

    >>> tensors = read_tensors("pt_inception-2015-12-05-6726825d.pth")
    >>> tensors["Conv2d_1a_3x3.conv.weight"].shape
    (32, 3, 3, 3)
"""

import collections
import io
import pickle
import struct
import zipfile

import numpy as np

from keras_signgan.errors import SignGANError

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}
MAX_ELEMENTS = 1 << 31  # per storage: far above any weight file this reads


class TorchFileError(SignGANError):
    """A file that is not a readable PyTorch weight file, or wants to run code."""


class StorageType:
    """Stands for `torch.FloatStorage` and friends: only its dtype is used."""

    def __init__(self, name):
        self.name = name
        self.dtype = np.dtype(STORAGE_DTYPES[name])

    def __repr__(self):
        return f"torch.{self.name}"


class ScriptModule:
    """Stands for a pickled TorchScript module (`__torch__.*`): a bag of attributes."""

    torch_class = "__torch__"

    def __setstate__(self, state):
        if not isinstance(state, dict):
            raise TorchFileError(f"A TorchScript object has a {type(state).__name__} state; expected a dict.")
        self.__dict__.update(state)

    def __repr__(self):
        return f"<{self.torch_class} {sorted(self.__dict__)}>"


class _Storage:
    def __init__(self, dtype, key, numel):
        self.dtype, self.key, self.numel = dtype, key, numel
        self.array = None


class _LazyTensor:
    """A tensor whose storage bytes are read after the pickle (the legacy layout)."""

    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def resolve(self):
        return _strided_copy(self.storage, self.offset, self.size, self.stride)


def _ints(value, what):
    if not isinstance(value, (tuple, list)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise TorchFileError(f"A tensor's {what} is {value!r}; expected a tuple of ints.")
    return tuple(value)


def _rebuild_tensor(storage, storage_offset, size, stride, *unused):
    if not isinstance(storage, _Storage) or not isinstance(storage_offset, int):
        raise TorchFileError("A tensor is rebuilt from something that is not a storage.")
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if len(size) != len(stride) or any(v < 0 for v in size + stride) or storage_offset < 0:
        raise TorchFileError(f"A tensor has size {size}, stride {stride}, offset {storage_offset}: not a valid layout.")
    last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else storage_offset - 1
    if last >= storage.numel:
        raise TorchFileError(
            f"A tensor (size {size}, stride {stride}) reaches past its storage of {storage.numel} elements."
        )
    return _LazyTensor(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None, *unused):
    return data


def _strided_copy(storage, offset, size, stride):
    array = storage.array
    if not all(size):
        return np.zeros(size, storage.dtype)
    view = np.lib.stride_tricks.as_strided(
        array[offset:], shape=size, strides=tuple(s * array.itemsize for s in stride), writeable=False
    )
    return np.array(view, copy=True)


def _ordered_dict(*args):
    if args:
        raise TorchFileError("collections.OrderedDict is called with arguments; refusing.")
    return collections.OrderedDict()


def _build_list(values):
    if not isinstance(values, list):
        raise TorchFileError("A TorchScript list is not a list.")
    return values


_ALLOWED = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("collections", "OrderedDict"): _ordered_dict,
    ("torch.jit._pickle", "build_intlist"): _build_list,
    ("torch.jit._pickle", "build_doublelist"): _build_list,
    ("torch.jit._pickle", "build_boollist"): _build_list,
}


class _RestrictedUnpickler(pickle.Unpickler):
    """Resolves only the names in `_ALLOWED`, storage types and TorchScript module classes."""

    def __init__(self, file, source):
        super().__init__(file)
        self.source = source
        self.storages = {}

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module == "torch" and name in STORAGE_DTYPES:
            return StorageType(name)
        if module.startswith("__torch__.") or module == "__torch__":
            # A plain attribute bag named after the TorchScript class; nothing of it runs.
            return type(name, (ScriptModule,), {"torch_class": f"{module}.{name}"})
        raise TorchFileError(
            f"{self.source} wants to load {module}.{name}, which a weight file has no need of: refusing to read it."
        )

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise TorchFileError(f"{self.source}: unknown persistent id {pid!r:.80}.")
        storage_type, key, _location, numel = pid[1:5]
        if not isinstance(storage_type, StorageType):
            raise TorchFileError(f"{self.source}: a storage of type {storage_type!r:.60} is not supported.")
        if len(pid) > 5 and pid[5] is not None:
            raise TorchFileError(f"{self.source}: storage views (PyTorch before 0.4) are not supported.")
        if not isinstance(numel, int) or not 0 <= numel <= MAX_ELEMENTS:
            raise TorchFileError(f"{self.source}: a storage claims {numel!r:.40} elements.")
        key = str(key)
        storage = self.storages.get(key)
        if storage is None:
            storage = self.storages[key] = _Storage(storage_type.dtype, key, numel)
        elif storage.dtype != storage_type.dtype or storage.numel != numel:
            raise TorchFileError(f"{self.source}: storage {key} is declared twice with different types or sizes.")
        return storage


def _unpickle(data, source):
    unpickler = _RestrictedUnpickler(io.BytesIO(data) if isinstance(data, bytes) else data, source)
    try:
        obj = unpickler.load()
    except TorchFileError:
        raise
    except Exception as error:  # a truncated or foreign pickle
        raise TorchFileError(f"{source}: cannot read its pickle ({type(error).__name__}: {error}).") from None
    return obj, unpickler.storages


def _resolve(obj, seen=None):
    """Replace every `_LazyTensor` inside `obj` (dicts, lists, tuples, modules) by its array."""
    seen = set() if seen is None else seen
    if isinstance(obj, _LazyTensor):
        return obj.resolve()
    if id(obj) in seen:
        return obj
    seen.add(id(obj))
    if isinstance(obj, dict):
        for key in list(obj):
            obj[key] = _resolve(obj[key], seen)
    elif isinstance(obj, list):
        obj[:] = [_resolve(v, seen) for v in obj]
    elif isinstance(obj, tuple):
        return tuple(_resolve(v, seen) for v in obj)
    elif isinstance(obj, ScriptModule):
        for key, value in list(vars(obj).items()):
            setattr(obj, key, _resolve(value, seen))
    return obj


def _read_zip(path, archive):
    pickles = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
    if len(pickles) != 1:
        raise TorchFileError(f"{path} is a zip but not a PyTorch file (it holds {len(pickles)} */data.pkl).")
    prefix = pickles[0][: -len("data.pkl")]
    obj, storages = _unpickle(archive.read(pickles[0]), path)
    for key, storage in storages.items():
        member = f"{prefix}data/{key}"
        try:
            info = archive.getinfo(member)
        except KeyError:
            raise TorchFileError(f"{path} lacks the storage {member}.") from None
        expected = storage.numel * storage.dtype.itemsize
        if info.file_size < expected:
            raise TorchFileError(f"{path}: {member} has {info.file_size} bytes, expected {expected}.")
        raw = archive.read(member)[:expected]
        storage.array = np.frombuffer(raw, dtype=storage.dtype.newbyteorder("<")).astype(storage.dtype, copy=False)
    return _resolve(obj)


def _read_legacy(path, file):
    try:
        magic, _ = _unpickle(file, path)
    except TorchFileError:
        magic = None
    if magic != LEGACY_MAGIC:
        raise TorchFileError(f"{path} is not a PyTorch file (neither a zip nor a legacy torch.save file).")
    protocol, _ = _unpickle(file, path)
    if protocol != LEGACY_PROTOCOL:
        raise TorchFileError(f"{path}: legacy PyTorch protocol {protocol!r:.20} is not supported.")
    sys_info, _ = _unpickle(file, path)
    if isinstance(sys_info, dict) and sys_info.get("little_endian") is False:
        raise TorchFileError(f"{path} was written on a big-endian machine; not supported.")
    obj, storages = _unpickle(file, path)
    keys, _ = _unpickle(file, path)
    if not isinstance(keys, list) or set(map(str, keys)) != set(storages):
        raise TorchFileError(f"{path}: the storage list does not match the tensors.")
    for key in map(str, keys):
        storage = storages[key]
        header = file.read(8)
        if len(header) != 8:
            raise TorchFileError(f"{path} is truncated (storage {key}).")
        (numel,) = struct.unpack("<q", header)
        if numel != storage.numel:
            raise TorchFileError(f"{path}: storage {key} holds {numel} elements, its tensors expect {storage.numel}.")
        raw = file.read(numel * storage.dtype.itemsize)
        if len(raw) != numel * storage.dtype.itemsize:
            raise TorchFileError(f"{path} is truncated (storage {key}).")
        storage.array = np.frombuffer(raw, dtype=storage.dtype.newbyteorder("<")).astype(storage.dtype, copy=False)
    return _resolve(obj)


def read_object(path):
    """The object a PyTorch file holds, tensors as NumPy arrays and TorchScript modules as
    `ScriptModule`s (attribute bags); raises `TorchFileError` for anything else."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return _read_zip(path, archive)
        with open(path, "rb") as file:
            return _read_legacy(path, file)
    except OSError as error:
        raise TorchFileError(f"Cannot read {path}: {error}.") from None
    except zipfile.BadZipFile as error:
        raise TorchFileError(f"{path} is a damaged zip: {error}.") from None


def flatten(obj, prefix=""):
    """`{dotted.name: array}` of every array inside dicts, lists and `ScriptModule`s."""
    out = {}
    if isinstance(obj, np.ndarray):
        out[prefix] = obj
        return out
    if isinstance(obj, ScriptModule):
        items = vars(obj).items()
    elif isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    else:
        return out
    for key, value in items:
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def read_tensors(path):
    """`{dotted.name: array}` of every tensor in a PyTorch file (state dict or TorchScript)."""
    return flatten(read_object(path))
