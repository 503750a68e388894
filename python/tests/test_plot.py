"""interstage.plot's figures written to PNG with no display: each file
exists, is a PNG of the figure's size, and is not blank."""

import os
import unittest

import matplotlib.image
import numpy as np

import interstage
import interstage.plot
import support


class Plots(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        session = interstage.Session(
            support.zoo_model("u2netp"), memory_mode="reduce", threads=1, input_shapes={"input": (1, 3, 64, 64)}
        )
        session.run()
        session.run()
        cls.stats = session.stats()
        cls.plan = session.plan()

    def assert_png(self, figure, name):
        path = os.path.join(support.scratch_folder(), name + ".png")
        figure.savefig(path, dpi=100)
        self.assertGreater(os.path.getsize(path), 10_000, path)
        with open(path, "rb") as png:
            self.assertEqual(png.read(8), b"\x89PNG\r\n\x1a\n")
        pixels = matplotlib.image.imread(path)
        width, height = figure.get_size_inches() * 100
        self.assertEqual(pixels.shape[:2], (round(height), round(width)))
        # Drawn on: many distinct colours, not a white page.
        self.assertGreater(len(np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0)), 50)
        return pixels

    def test_memory_timeline(self):
        figure = interstage.plot.memory_timeline(self.stats, self.plan)
        pixels = self.assert_png(figure, "timeline")
        # The activations' blue fills part of the chart.
        blue = np.array([0x4C, 0x8B, 0xF5]) / 255
        near = np.abs(pixels[:, :, :3] - blue).max(axis=2) < 0.12
        self.assertGreater(near.sum(), 500)
        labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
        self.assertIn("Interstage", labels)
        self.assertIn("Lower bound", labels)

    def test_the_timeline_adds_up_to_the_runs_peak(self):
        _, series = interstage.plot.category_series(self.stats)
        total = sum(series.values())
        self.assertEqual(int(total.max()), self.stats["peak_tracked_bytes"])

    def test_memory_map(self):
        figure = interstage.plot.memory_map(self.plan)
        self.assert_png(figure, "map")
        self.assertEqual(len(figure.axes[0].collections[0].get_paths()), len(self.plan["tensors"]["name"]))

    def test_timings(self):
        figure = interstage.plot.timings(self.stats, top=10)
        self.assert_png(figure, "timings")
        bars = figure.axes[0].patches
        self.assertEqual(len(bars), 10)
        widths = [bar.get_width() for bar in bars]
        self.assertEqual(widths, sorted(widths, reverse=True))
        self.assertAlmostEqual(widths[0], float(self.stats["nodes"]["ms"].max()))


if __name__ == "__main__":
    unittest.main()
