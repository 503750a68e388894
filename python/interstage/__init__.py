"""Interstage from Python: run ONNX models in a chosen memory mode and see
what their intermediate tensors cost.

    import interstage
    mode = interstage.get_memory_mode(True, True, True, False)   # reduce interstage
    session = interstage.Session("u2netp.onnx", memory_mode=mode, threads=2)
    outputs = session.run()             # {name: numpy array}; default inputs
    stats = session.stats()             # peaks, allocations, per-node times, events
    plan = session.plan()               # lower bounds, every tensor's placement

Errors are interstage.Error subclasses (DataRemovedError, InvalidModelError,
...) carrying the engine's one-line message. interstage.plot draws the
memory timeline, the memory map and the timing bars with matplotlib.
"""

from ._interstage import (  # noqa: F401  (the package's public names)
    MEMORY_CATEGORIES,
    CancelledError,
    DataRemovedError,
    DeviceLostError,
    Error,
    InternalError,
    InvalidArgumentError,
    InvalidModelError,
    IoError,
    MemoryMode,
    NotFoundError,
    OutOfMemoryError,
    Session,
    ShapeError,
    UnsupportedError,
    __version__,
    format_bytes,
    get_memory_mode,
    memory_presets,
    seed_method_note,
    seed_source,
    seed_table,
)

__all__ = [
    "MEMORY_CATEGORIES",
    "CancelledError",
    "DataRemovedError",
    "DeviceLostError",
    "Error",
    "InternalError",
    "InvalidArgumentError",
    "InvalidModelError",
    "IoError",
    "MemoryMode",
    "NotFoundError",
    "OutOfMemoryError",
    "Session",
    "ShapeError",
    "UnsupportedError",
    "__version__",
    "format_bytes",
    "get_memory_mode",
    "memory_presets",
    "seed_method_note",
    "seed_source",
    "seed_table",
]
