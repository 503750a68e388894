"""Session from Python: memory modes, DataRemovedError and keep, the run's
statistics and the plan as dicts and numpy columns, the GIL released
during runs."""

import subprocess
import threading
import time
import unittest

import numpy as np

import interstage
import support

SMALL = {"input": (1, 3, 64, 64)}


class Module(unittest.TestCase):
    def test_the_compiled_module_links_no_qt(self):
        needed = subprocess.run(
            ["readelf", "-d", interstage._interstage.__file__], capture_output=True, text=True, check=True
        ).stdout
        self.assertIn("libdnnl", needed)  # the engine's libraries are there
        self.assertNotIn("Qt", needed)


class MemoryModes(unittest.TestCase):
    def test_the_sdk_flags_pick_the_planner(self):
        cases = {
            (False, False): ("default", "T,T,F,F"),
            (True, False): ("reduce", "T,T,T,F"),
            (False, True): ("reuse", "T,T,F,T"),
            (True, True): ("reduce+reuse", "T,T,T,T"),
        }
        for (reduce, reuse), (planner, flags) in cases.items():
            mode = interstage.get_memory_mode(True, True, reduce, reuse)
            self.assertEqual(mode.planner, planner)
            self.assertEqual(mode.sdk_flags, flags)
            self.assertEqual((mode.reduce_interstage, mode.reuse_interstage), (reduce, reuse))
            self.assertIn(flags, repr(mode))
        arena = interstage.get_memory_mode(False, False, False, False, arena=True, fusion=False)
        self.assertEqual((arena.planner, arena.reduce_constant, arena.fusion), ("arena", False, False))
        self.assertEqual(repr(arena), "MemoryMode('arena', sdk_flags='F,F,arena', fusion=False)")

    def test_a_preset_is_its_cli_name(self):
        for name, mode in interstage.memory_presets().items():
            self.assertEqual(interstage.MemoryMode.parse(mode.name), mode)
            self.assertTrue(mode.label.startswith(name + " ("), mode.label)


class Session(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = support.zoo_model("u2netp")

    def session(self, mode, **options):
        return interstage.Session(self.model, memory_mode=mode, threads=1, input_shapes=SMALL, **options)

    def test_a_released_tensor_raises_data_removed_saying_how_to_keep_it(self):
        session = self.session("reduce")
        session.run()
        plan = session.plan()
        # An intermediate no output needs: the reduce plan frees it.
        name = next(n for n, kept in zip(plan["tensors"]["name"], plan["tensors"]["kept"]) if not kept)
        with self.assertRaises(interstage.DataRemovedError) as caught:
            session.blob(name)
        self.assertIsInstance(caught.exception, interstage.Error)
        self.assertEqual(caught.exception.code, "data removed")
        self.assertIn(name, str(caught.exception))
        self.assertIn("keep=['%s']" % name, str(caught.exception))
        # Kept as the message says, it is readable, and it is what the
        # default mode (which keeps every tensor) holds, to rounding: the
        # modes' plans may pick other kernel paths (in-place, blocked).
        kept = self.session("reduce", keep=[name])
        kept.run()
        everything = self.session("default")
        everything.run()
        np.testing.assert_allclose(kept.blob(name), everything.blob(name), rtol=1e-5, atol=1e-6)

    def test_outputs_are_numpy_arrays_owning_no_copy_of_their_own(self):
        session = self.session("arena")
        outputs = session.run()
        self.assertEqual(list(outputs), session.output_names)
        for array in outputs.values():
            self.assertIsInstance(array, np.ndarray)
            self.assertEqual(array.shape, (1, 1, 64, 64))
            self.assertEqual(array.dtype, np.float32)
            # The engine's buffer, held by the array's base: not copied.
            self.assertFalse(array.flags["OWNDATA"])
            self.assertIsNotNone(array.base)
        self.assertEqual(session.inputs, [{"name": "input", "dtype": "float32", "shape": (1, 3, 64, 64)}])

    def test_statistics_are_dicts_with_numpy_columns(self):
        session = self.session("reduce")
        with self.assertRaises(interstage.NotFoundError):
            session.stats()
        session.run()
        session.run()
        stats = session.stats()
        for key in (
            "run",
            "ms",
            "allocations",
            "peak_tracked_bytes",
            "peak_rss_bytes",
            "peak_activation_bytes",
            "peak_block_cache_bytes",
            "handed_over_bytes",
            "peak_shared_page_bytes",
            "minor_page_faults",
            "nodes",
            "events",
            "rss",
            "bytes_at_start",
        ):
            self.assertIn(key, stats)
        self.assertEqual(stats["run"], 2)
        self.assertGreater(stats["ms"], 0)
        nodes = stats["nodes"]
        self.assertEqual(len(nodes["name"]), len(session.plan()["steps"]))
        self.assertEqual(nodes["ms"].dtype, np.float64)
        self.assertLessEqual(nodes["ms"].sum(), stats["ms"] * 1.01)
        events = stats["events"]
        count = len(events["time_ns"])
        for column in ("bytes", "category", "device", "node"):
            self.assertIsInstance(events[column], np.ndarray)
            self.assertEqual(len(events[column]), count)
        self.assertEqual(len(events["tensor"]), count)
        # A reduce run allocates as it goes: its allocations are events,
        # and the tracked bytes they add up to reach the reported peak.
        self.assertEqual(int((events["bytes"] > 0).sum()), stats["allocations"])
        in_order = events["bytes"][np.argsort(events["time_ns"], kind="stable")]
        held = sum(stats["bytes_at_start"].values()) + np.cumsum(in_order)
        self.assertEqual(int(held.max()), stats["peak_tracked_bytes"])
        self.assertEqual(set(stats["bytes_at_start"]), set(interstage.MEMORY_CATEGORIES))
        self.assertGreater(len(stats["rss"]["bytes"]), 0)
        self.assertGreater(int(stats["rss"]["bytes"].max()), 0)

    def test_the_plan_has_placements_and_bounds(self):
        session = self.session("arena")
        plan = session.plan()
        tensors = plan["tensors"]
        count = len(tensors["name"])
        self.assertGreater(count, 100)
        for column in ("first", "last", "bytes", "buffer", "offset", "kept", "moved_at", "per_run_buffer"):
            self.assertEqual(len(tensors[column]), count, column)
        self.assertTrue(np.all(tensors["first"] <= tensors["last"]))
        self.assertTrue(np.all(tensors["buffer"] == 0))  # the arena's one slab
        self.assertLessEqual(int((tensors["offset"] + tensors["bytes"]).max()), plan["planned_buffer_peak_bytes"])
        self.assertLessEqual(plan["aliased_lower_bound_bytes"], plan["executed_lower_bound_bytes"])
        self.assertGreater(plan["lower_bound_bytes"], 0)
        self.assertTrue(plan["memory_budget"]["automatic"])

    def test_the_gil_is_released_while_the_engine_runs(self):
        session = interstage.Session(self.model, threads=1, input_shapes={"input": (1, 3, 192, 192)})
        session.run()
        span = {}

        def run():
            span["start"] = time.perf_counter()
            session.run()
            span["end"] = time.perf_counter()

        worker = threading.Thread(target=run)
        ticks = []
        worker.start()
        while worker.is_alive():
            ticks.append(time.perf_counter())
        worker.join()
        inside = [t for t in ticks if span["start"] <= t <= span["end"]]
        length = span["end"] - span["start"]
        self.assertGreater(length, 0.02)
        # Held through the run, no tick could fall inside it but at its
        # edges; released, this thread ticks all along.
        gaps = np.diff([span["start"]] + inside + [span["end"]])
        stretch = "longest stretch without this thread: %.3f of %.3f s" % (gaps.max(), length)
        self.assertLess(gaps.max(), length / 2, stretch)



class HalfPrecisionStorage(unittest.TestCase):
    """gpu_fp16 as the CLI's --gpu-fp16: the device holds half the bytes and
    the outputs stay within float16's rounding of the float32 run's."""

    @classmethod
    def setUpClass(cls):
        cls.model = support.zoo_model("u2netp")

    def vulkan(self, fp16):
        try:
            return interstage.Session(
                self.model, backend="vulkan:0", threads=1, input_shapes=SMALL, gpu_fp16=fp16
            )
        except (interstage.NotFoundError, interstage.UnsupportedError) as error:
            self.skipTest(f"no Vulkan device: {error}")

    def test_half_storage_halves_the_plan_and_keeps_the_outputs(self):
        full, half = self.vulkan(False), self.vulkan(True)
        self.assertTrue(half.gpu_fp16)
        self.assertFalse(full.gpu_fp16)
        self.assertIn("gpu_fp16=True", repr(half))
        # Half, give or take each tensor's alignment (#19: at most 0.55).
        ratio = half.plan()["planned_peak_bytes"] / full.plan()["planned_peak_bytes"]
        self.assertTrue(0.45 < ratio <= 0.55, ratio)
        reference, outputs = full.run(), half.run()
        self.assertEqual(set(outputs), set(reference))
        for name, r in reference.items():
            error = np.abs(outputs[name] - r).max() / np.abs(r).max()
            self.assertLess(error, 1e-2, name)
            self.assertGreater(error, 0, f"{name}: float16 storage should round somewhere")

    def test_half_storage_on_the_cpu_is_an_invalid_argument(self):
        with self.assertRaisesRegex(interstage.InvalidArgumentError, "Vulkan"):
            interstage.Session(self.model, backend="cpu", input_shapes=SMALL, gpu_fp16=True)


if __name__ == "__main__":
    unittest.main()
