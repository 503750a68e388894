"""Session.run gives the CLI's outputs, bit for bit, for every zoo model in
every memory preset: the same engine behind both front ends, so any
difference is the binding's (dtype, shape, layout or copy)."""

import os
import subprocess
import tempfile
import unittest

import numpy as np
import onnx
from onnx import numpy_helper

import interstage
import support

# The zoo's models at small input sizes (the fixed-size classifiers run
# at 64x64 with allow_other_dims) so the suite stays within seconds; the
# ViT's patch grid and the encoder are fixed. BlazeFace also in float16,
# and in bfloat16, whose outputs Python widens to float32 as
# numpy_helper reads the CLI's files.
MODELS = {
    ("u2netp",): {"input": (1, 3, 64, 64)},
    ("resnet",): {"input": (1, 3, 64, 64)},
    ("mobilenetv2",): {"input": (1, 3, 64, 64)},
    ("inception",): {"input": (1, 3, 64, 64)},
    ("densenet121",): {"input": (1, 3, 64, 64)},
    ("blazeface",): {"input": (1, 3, 128, 128)},
    ("blazeface", "--fp16"): {"input": (1, 3, 128, 128)},
    ("blazeface", "--bf16"): {"input": (1, 3, 128, 128)},
    ("vit",): {},
    ("transformer",): {},
}


def cli_outputs(model, mode, shapes, input_files=None):
    """The outputs `interstage-cli run --save-outputs` writes, by name."""
    folder = tempfile.mkdtemp(dir=support.scratch_folder())
    command = [support.CLI, "run", model, "--threads", "1", "--mode", mode, "--save-outputs", folder]
    command.append("--allow-other-dims")  # as the Python sessions are made
    for name, dims in shapes.items():
        command += ["--input", "%s=%s" % (name, "x".join(str(d) for d in dims))]
    for name, path in (input_files or {}).items():
        command += ["--input-file", "%s=%s" % (name, path)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    outputs = {}
    for file in os.listdir(folder):
        tensor = onnx.load_tensor(os.path.join(folder, file))
        outputs[tensor.name] = numpy_helper.to_array(tensor)
    return outputs


class OutputsMatchCli(unittest.TestCase):
    def assert_same(self, ours, theirs, where):
        self.assertEqual(sorted(ours), sorted(theirs), where)
        for name, array in ours.items():
            self.assertEqual(array.dtype, theirs[name].dtype, "%s: %s" % (where, name))
            self.assertEqual(array.shape, theirs[name].shape, "%s: %s" % (where, name))
            np.testing.assert_array_equal(array, theirs[name], "%s: %s" % (where, name))

    def test_every_zoo_model_in_every_preset(self):
        presets = interstage.memory_presets()
        self.assertEqual(list(presets), ["default", "reduce", "reuse", "reduce+reuse", "arena"])
        for zoo, shapes in MODELS.items():
            model_name = " ".join(zoo)
            model = support.zoo_model(*zoo)
            for preset, mode in presets.items():
                where = "%s, %s" % (model_name, mode.label)
                with self.subTest(model=model_name, preset=preset):
                    session = interstage.Session(
                        model, memory_mode=mode, threads=1, input_shapes=shapes, allow_other_dims=True
                    )
                    ours = session.run()
                    self.assertTrue(ours, where)
                    self.assert_same(ours, cli_outputs(model, mode.name, shapes), where)

    def test_given_inputs_match_the_cli_given_the_same_files(self):
        # Arrays from Python against the same values as TensorProto files:
        # the input path (dtype, shape, bytes), not the default pattern.
        rng = np.random.default_rng(7)
        model = support.zoo_model("transformer")
        inputs = {
            "embeddings": rng.standard_normal((1, 128, 256), dtype=np.float32),
            "attention_bias": np.where(rng.random((1, 1, 1, 128)) < 0.2, -1e4, 0).astype(np.float32),
        }
        files = {}
        for name, array in inputs.items():
            files[name] = os.path.join(support.scratch_folder(), name + ".pb")
            onnx.save_tensor(numpy_helper.from_array(array, name), files[name])
        session = interstage.Session(model, memory_mode="arena", threads=1)
        ours = session.run(inputs)
        self.assert_same(ours, cli_outputs(model, "arena", {}, files), "transformer with given inputs")
        # The default input differs from these, so the outputs must too.
        self.assertFalse(np.array_equal(next(iter(ours.values())), next(iter(session.run().values()))))

    def test_a_float16_input_matches_the_cli_given_the_same_file(self):
        model = support.zoo_model("blazeface", "--fp16")
        array = np.random.default_rng(5).random((1, 3, 128, 128)).astype(np.float16)
        path = os.path.join(support.scratch_folder(), "input_fp16.pb")
        onnx.save_tensor(numpy_helper.from_array(array, "input"), path)
        session = interstage.Session(model, memory_mode="reuse", threads=1, allow_other_dims=True)
        ours = session.run({"input": array})
        self.assertEqual(ours["regressors"].dtype, np.float16)
        self.assert_same(ours, cli_outputs(model, "reuse", {}, {"input": path}), "blazeface fp16, given input")

    def test_a_non_contiguous_input_gives_what_its_contiguous_copy_gives(self):
        model = support.zoo_model("blazeface")
        session = interstage.Session(model, threads=1, input_shapes={"input": (1, 3, 128, 128)}, allow_other_dims=True)
        base = np.random.default_rng(3).random((1, 128, 128, 3), dtype=np.float32)
        strided = base.transpose(0, 3, 1, 2)  # NHWC memory read as NCHW
        self.assertFalse(strided.flags["C_CONTIGUOUS"])
        ours = session.run({"input": strided})
        theirs = session.run({"input": np.ascontiguousarray(strided)})
        self.assert_same(ours, theirs, "blazeface, transposed input")


if __name__ == "__main__":
    unittest.main()
