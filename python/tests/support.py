"""What the Python suites share: the CLI under test and zoo models it
writes once per process into a temporary folder."""

import atexit
import os
import shutil
import subprocess
import tempfile

CLI = os.environ.get("INTERSTAGE_CLI", "")
SOURCE_DIR = os.environ.get("INTERSTAGE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))

_folder = None


def scratch_folder():
    """A temporary folder removed when the process ends."""
    global _folder
    if _folder is None:
        _folder = tempfile.mkdtemp(prefix="interstage-python-")
        atexit.register(shutil.rmtree, _folder, True)
    return _folder


def zoo_model(name, *flags):
    """The zoo model `name` as an ONNX file, written by the CLI once per
    process; flags such as "--fp16" make a variant."""
    path = os.path.join(scratch_folder(), "".join([name] + [f.strip("-") for f in flags]) + ".onnx")
    if not os.path.exists(path):
        subprocess.run([CLI, "zoo", name, *flags, "-o", path], check=True, stdout=subprocess.DEVNULL)
    return path
