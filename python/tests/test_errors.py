"""Bad input from Python is a Python exception with the engine's one-line
message, never a crash: wrong dtype, shape or name, missing and broken
files (the whole hostile corpus), bad arguments, a budget too small."""

import os
import unittest

import numpy as np

import interstage
import support

SMALL = {"input": (1, 3, 64, 64)}
HOSTILE = os.path.join(support.SOURCE_DIR, "tests", "hostile")


def hostile_cases():
    """MANIFEST.tsv's rows: (file, expect, substring or outputs, why)."""
    with open(os.path.join(HOSTILE, "MANIFEST.tsv"), encoding="utf-8") as manifest:
        return [line.rstrip("\n").split("\t") for line in manifest if line.strip() and not line.startswith("#")]


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = support.zoo_model("u2netp")
        cls.session = interstage.Session(cls.model, threads=1, input_shapes=SMALL)

    def assert_error(self, error_type, text, call, *args, **kwargs):
        with self.assertRaises(error_type) as caught:
            call(*args, **kwargs)
        message = str(caught.exception)
        self.assertIn(text, message)
        self.assertNotIn("\n", message)
        self.assertIsInstance(caught.exception, interstage.Error)
        return caught.exception

    def test_wrong_dtype(self):
        error = self.assert_error(
            interstage.InvalidArgumentError,
            "input 'input' must be float32, not float64",
            self.session.run,
            {"input": np.zeros((1, 3, 64, 64))},
        )
        self.assertEqual(error.code, "invalid argument")

    def test_a_dtype_onnx_has_not(self):
        self.assert_error(
            interstage.InvalidArgumentError, "no ONNX tensor type", self.session.run, {"input": np.array(["a", "b"])}
        )

    def test_wrong_rank(self):
        self.assert_error(
            interstage.InvalidArgumentError,
            "but 3x64x64 has rank 3",
            self.session.run,
            {"input": np.zeros((3, 64, 64), np.float32)},
        )

    def test_wrong_channel_count(self):
        self.assert_error(
            interstage.InvalidArgumentError,
            "dim 1 must be 3, not 4, unless other dims are allowed (allow_other_dims=True)",
            self.session.run,
            {"input": np.zeros((1, 4, 64, 64), np.float32)},
        )
        # The session still runs afterwards.
        self.assertEqual(len(self.session.run()), 7)

    def test_unknown_input_name(self):
        self.assert_error(
            interstage.InvalidArgumentError,
            "the model has no input named 'image'",
            self.session.run,
            {"image": np.zeros((1, 3, 64, 64), np.float32)},
        )

    def test_inputs_not_a_dict(self):
        self.assert_error(interstage.InvalidArgumentError, "takes a dict", self.session.run, [np.zeros(3)])

    def test_unknown_tensor(self):
        self.session.run()
        self.assert_error(interstage.NotFoundError, "no_such_tensor", self.session.blob, "no_such_tensor")

    def test_missing_file(self):
        self.assert_error(
            interstage.NotFoundError, "does_not_exist.onnx", interstage.Session, "does_not_exist.onnx"
        )

    def test_bad_arguments(self):
        bad_session_arguments = [
            ("max_memory '12 apples'", {"max_memory": "12 apples"}),
            ("max_memory must be a positive number of bytes, not -5", {"max_memory": -5}),
            ("memory_mode must be an interstage.MemoryMode", {"memory_mode": 3}),
            ("unknown memory mode 'sideways'", {"memory_mode": "sideways"}),
            ("input_shapes must be a dict", {"input_shapes": [1, 2]}),
            ("input_shapes['input'] must be a sequence of ints", {"input_shapes": {"input": 3.5}}),
            ("threads must be 0 (every core) or more, not -1", {"threads": -1}),
        ]
        for text, arguments in bad_session_arguments:
            with self.subTest(arguments=arguments):
                self.assert_error(interstage.InvalidArgumentError, text, interstage.Session, self.model, **arguments)
        self.assert_error(interstage.InvalidModelError, "not an ONNX model", interstage.Session, __file__)
        arena_and_reduce = (True, True, True, False)
        self.assert_error(
            interstage.InvalidArgumentError, "arena=True", interstage.get_memory_mode, *arena_and_reduce, arena=True
        )

    def test_a_budget_too_small_is_refused_before_running(self):
        error = self.assert_error(
            interstage.OutOfMemoryError, "budget", interstage.Session, self.model, max_memory="1M", input_shapes=SMALL
        )
        self.assertEqual(error.code, "out of memory")

    def test_every_hostile_file_is_an_error_naming_its_problem_or_runs(self):
        cases = hostile_cases()
        self.assertGreater(len(cases), 50)
        for file, expect, detail, why in cases:
            with self.subTest(file=file, why=why):
                path = os.path.join(HOSTILE, file)
                if expect == "runs":
                    outputs = interstage.Session(path, threads=1).run()
                    for spec in detail.split():
                        name, dims = spec.split("=")
                        self.assertEqual(outputs[name].shape, tuple(int(d) for d in dims.split("x")))
                    continue
                with self.assertRaises(interstage.Error) as caught:
                    interstage.Session(path, threads=1).run()
                self.assertIn(detail, str(caught.exception))


if __name__ == "__main__":
    unittest.main()
