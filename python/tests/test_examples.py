"""examples/seed_table.py runs (two runs per configuration, a small
input): the tutorial's three configurations, the CLI's run lines, the
seed's table beside ours, and the figure."""

import os
import re
import subprocess
import sys
import unittest

import matplotlib.image

import support


class SeedTableExample(unittest.TestCase):
    def test_prints_the_three_configurations_and_the_table_and_writes_the_figure(self):
        figure = os.path.join(support.scratch_folder(), "seed.png")
        script = os.path.join(support.SOURCE_DIR, "examples", "seed_table.py")
        command = [sys.executable, script, support.zoo_model("u2netp"), "--runs", "2", "--threads", "1"]
        result = subprocess.run(
            command + ["--size", "64", "--figure", figure], capture_output=True, text=True, check=True
        )
        lines = result.stdout.splitlines()
        for header in (
            "default (T,T,F,F): get_memory_mode(True, True, False, False)",
            "reduce (T,T,T,F): get_memory_mode(True, True, True, False)",
            "reuse (T,T,F,T): get_memory_mode(True, True, False, True)",
        ):
            self.assertIn(header, lines)
        run_lines = [line for line in lines if re.match(r"run [12]: processing time \d+ ms  \(peak tracked ", line)]
        self.assertEqual(len(run_lines), 6)
        # Reduce allocates on every run; default and reuse only on the first.
        self.assertIn(", 0 allocations", run_lines[1])
        self.assertNotIn(", 0 allocations", run_lines[3])
        rows = [line.split() for line in lines if re.match(r"(default|reduce|reuse) +T,T,", line)]
        self.assertEqual([row[0] for row in rows], ["default", "reduce", "reuse"])
        self.assertEqual([row[2] for row in rows], ["557.2", "176.4", "296.8"])  # the tutorial's peaks
        tracked = {row[0]: float(row[4]) for row in rows}
        self.assertLess(tracked["reduce"], tracked["reuse"])
        self.assertLess(tracked["reuse"], tracked["default"])
        self.assertGreater(matplotlib.image.imread(figure).shape[0], 100)


if __name__ == "__main__":
    unittest.main()
