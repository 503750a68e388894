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


def zoo_model(name):
    """The zoo model `name` as an ONNX file, written by the CLI (once)."""
    path = os.path.join(scratch_folder(), name + ".onnx")
    if not os.path.exists(path):
        subprocess.run([CLI, "zoo", name, "-o", path], check=True, stdout=subprocess.DEVNULL)
    return path
