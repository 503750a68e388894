#!/usr/bin/env python3
"""The SDK tutorial's experiment in Python: U^2-Net-P in its three memory
configurations, get_memory_mode(True, True, x, x), five runs each.

Prints each configuration's runs as the CLI's `run` prints them ("run 1:
processing time 183 ms  (peak tracked ..., peak RSS ..., N allocations)"),
then the tutorial's table beside ours as `interstage-cli compare
--seed-table` prints it, and writes a figure of both (PNG).

    PYTHONPATH=build/python python3 examples/seed_table.py models/u2netp.onnx --threads 2

Each configuration runs in a fresh process, as `compare` runs each mode,
so that one's resident memory does not count in the next's peak.
"""

import argparse
import multiprocessing
import os
import sys

import numpy as np

import interstage

# The tutorial's three configurations (its get_memory_mode arguments).
CONFIGURATIONS = [
    ("default", (True, True, False, False)),
    ("reduce", (True, True, True, False)),
    ("reuse", (True, True, False, True)),
]
MB = 1e6  # the tutorial prints MB; ours are shown the same way


def measure(model, flags, runs, threads, size):
    """Runs one configuration; returns its run lines and figures."""
    shapes = {"input": (1, 3, size, size)} if size else None
    session = interstage.Session(
        model, memory_mode=interstage.get_memory_mode(*flags), threads=threads, input_shapes=shapes
    )
    results = []
    for _ in range(runs):
        session.run()
        stats = session.stats()
        kept = ("ms", "peak_tracked_bytes", "peak_rss_bytes", "allocations", "peak_block_cache_bytes")
        results.append({key: stats[key] for key in kept})
    return results


def run_line(number, run):
    """The CLI's `run` line for one run."""
    line = "run %d: processing time %d ms  (peak tracked %s, peak RSS %s, %d allocations" % (
        number,
        round(run["ms"]),
        interstage.format_bytes(run["peak_tracked_bytes"]),
        interstage.format_bytes(run["peak_rss_bytes"]),
        run["allocations"],
    )
    if run["peak_block_cache_bytes"]:
        line += ", freed blocks kept for reuse " + interstage.format_bytes(run["peak_block_cache_bytes"])
    return line + ")"


def joined(values):
    return " ".join("%.0f" % v for v in values)


def print_seed_table(ours, model):
    """`compare --seed-table`'s table: the tutorial's rows beside ours."""
    print("\nthe seed's table beside ours (%s; ours: %s, this machine)" % (interstage.seed_source(), model))
    header = ("preset", "flags", "seed MB", "ours RSS MB", "ours tracked MB")
    print("%-9s%-10s%12s%13s%17s   seed CPU ms / ours ms, run by run" % header)
    presets = interstage.memory_presets()
    for row in interstage.seed_table():
        runs = ours[row["preset"]]
        print(
            "%-9s%-10s%12.1f%13.1f%17.1f   %s / %s"
            % (
                row["preset"],
                presets[row["preset"]].sdk_flags,
                row["peak_mb"],
                max(r["peak_rss_bytes"] for r in runs) / MB,
                max(r["peak_tracked_bytes"] for r in runs) / MB,
                joined(row["cpu_ms"]),
                joined([r["ms"] for r in runs]),
            )
        )
    print(interstage.seed_method_note())


def write_figure(ours, path):
    """Peaks (the tutorial's, our RSS, our tracked bytes) and each run's time."""
    from matplotlib.figure import Figure

    import interstage.plot as style

    figure = Figure(figsize=(10, 4), dpi=100, facecolor="white")
    peaks, times = figure.subplots(1, 2)
    for ax in (peaks, times):
        style.style_axes(ax)
    seed = {row["preset"]: row for row in interstage.seed_table()}
    names = [name for name, _ in CONFIGURATIONS]
    x = np.arange(len(names))
    columns = [
        ("the tutorial (process)", [seed[n]["peak_mb"] for n in names], style.CATEGORY_COLORS["weights"]),
        ("ours: peak RSS", [max(r["peak_rss_bytes"] for r in ours[n]) / MB for n in names], style.RSS_COLOR),
        (
            "ours: tracked",
            [max(r["peak_tracked_bytes"] for r in ours[n]) / MB for n in names],
            style.CATEGORY_COLORS["interstage"],
        ),
    ]
    for i, (label, values, color) in enumerate(columns):
        peaks.bar(x + (i - 1) * 0.27, values, 0.27, label=label, color=color)
    peaks.set_xticks(x)
    peaks.set_xticklabels(["%s\n(%s)" % (n, interstage.memory_presets()[n].sdk_flags) for n in names])
    peaks.set_ylabel("peak memory (MB)")
    peaks.set_title("Peak memory, U^2-Net-P", fontsize=10)
    peaks.legend(frameon=False, fontsize=8)
    for name, color in zip(names, ("#e06c00", "#2ca02c", "#7b4fb5")):
        runs = np.arange(1, len(ours[name]) + 1)
        times.plot(runs, [r["ms"] for r in ours[name]], "-o", color=color, label="ours: " + name)
        times.plot(np.arange(1, 6), seed[name]["cpu_ms"], "--", color=color, alpha=0.6, label="tutorial: " + name)
    times.set_xticks(np.arange(1, max(5, len(ours[names[0]])) + 1))
    times.set_xlabel("run")
    times.set_ylabel("processing time (ms)")
    times.set_title("Each run's time", fontsize=10)
    times.set_ylim(bottom=0)
    times.legend(frameon=False, fontsize=8, ncol=2)
    figure.tight_layout()
    figure.savefig(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "model", nargs="?", default="models/u2netp.onnx", help="U^2-Net-P (interstage-cli zoo u2netp -o FILE)"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="0: every core")
    parser.add_argument("--size", type=int, default=0, help="input height and width (default: the model's, 320)")
    parser.add_argument("--figure", default="seed_table.png", help="the PNG to write")
    args = parser.parse_args()
    if not os.path.exists(args.model):
        sys.exit(
            "seed_table.py: no model at '%s' (make it with: build/bin/interstage-cli zoo u2netp -o %s)"
            % (args.model, args.model)
        )

    ours = {}
    spawn = multiprocessing.get_context("spawn")
    for name, flags in CONFIGURATIONS:
        with spawn.Pool(1) as fresh:
            ours[name] = fresh.apply(measure, (args.model, flags, args.runs, args.threads, args.size))
        print("\n%s: get_memory_mode(%s)" % (interstage.memory_presets()[name].label, ", ".join(map(str, flags))))
        for number, run in enumerate(ours[name], 1):
            print(run_line(number, run))
    print_seed_table(ours, args.model)
    write_figure(ours, args.figure)
    print("\nwrote %s" % args.figure)


if __name__ == "__main__":
    main()
