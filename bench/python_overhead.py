#!/usr/bin/env python3
"""The Python API's overhead: Session.run's steady time against the CLI's.

For each model, ROUNDS rounds, each a fresh `interstage-cli run --runs N`
process and a fresh Python process running Session.run N times, one
after the other (interleaved, so that the machine's load drifts over
both alike). Steady = the median of runs 2..N, as `compare` takes it.
The CLI's is the engine's own time of each run (RunStats.ms, what its
run lines print); Python's is the wall time of the run() call as Python
sees it (perf_counter around it: GIL release, the engine, the outputs
copied out and wrapped as arrays). Prints per model the medians over
rounds, their ranges, and Python / CLI.

On a loaded machine wall times swing by tens of percent, so each round
also takes the CPU time per run, which other processes barely move:
the child's user + system time (rusage) with N runs less that with one
run, over N - 1, for both the CLI and Python (everything each does per
run: default inputs, the engine, the CLI's run line, Python's output
arrays), with --cpu-runs runs. Use --threads 1 for that column to mean work, not spinning.

    PYTHONPATH=build/python python3 bench/python_overhead.py --threads 1 --runs 11 --rounds 3
"""

import argparse
import resource
import json
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.environ.get("INTERSTAGE_CLI", os.path.join(ROOT, "build", "bin", "interstage-cli"))

PYTHON_RUNS = """
import json, sys, time
import interstage
model, threads, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
session = interstage.Session(model, threads=threads)
wall, engine = [], []
for _ in range(runs):
    start = time.perf_counter()
    session.run()
    wall.append((time.perf_counter() - start) * 1000)
    engine.append(session.stats()["ms"])
print(json.dumps({"wall": wall, "engine": engine}))
"""


def steady(times):
    return statistics.median(times[1:]) if len(times) > 1 else times[0]


def child_cpu_seconds(command):
    """User + system CPU time of a child process run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cpu_per_run(command_for, runs):
    """CPU ms one more run costs: (N runs - 1 run) / (N - 1)."""
    many = child_cpu_seconds(command_for(runs))
    one = child_cpu_seconds(command_for(1))
    return (many - one) * 1000 / (runs - 1)


def cli_command(model, threads):
    return lambda runs: [CLI, "run", model, "--threads", str(threads), "--runs", str(runs)]


def python_command(model, threads):
    return lambda runs: [sys.executable, "-c", PYTHON_RUNS, model, str(threads), str(runs)]


def cli_round(model, threads, runs):
    # The run lines round to the millisecond: read --json's times.
    path = "/tmp/python_overhead_%d.json" % os.getpid()
    command = [CLI, "run", model, "--threads", str(threads), "--runs", str(runs), "--json", path]
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    with open(path) as f:
        doc = json.load(f)
    os.remove(path)
    return steady([run["ms"] for run in doc["runs"]])


def python_round(model, threads, runs):
    command = [sys.executable, "-c", PYTHON_RUNS, model, str(threads), str(runs)]
    doc = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    return steady(doc["wall"]), steady(doc["engine"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "models", nargs="*", default=["models/u2netp.onnx", "models/resnet.onnx", "models/transformer.onnx"]
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpu-runs", type=int, default=41, help="runs of the CPU-time processes (the slope's N)")
    args = parser.parse_args()
    print(
        "model        CLI steady ms (range)   Python run() ms (range)   Python/CLI"
        "   CPU ms/run CLI (range)   Python (range)   Python/CLI"
    )
    for model in args.models:
        cli, wall, cli_cpu, python_cpu = [], [], [], []
        for _ in range(args.rounds):
            cli.append(cli_round(model, args.threads, args.runs))
            wall.append(python_round(model, args.threads, args.runs)[0])
            cli_cpu.append(cpu_per_run(cli_command(model, args.threads), args.cpu_runs))
            python_cpu.append(cpu_per_run(python_command(model, args.threads), args.cpu_runs))
        name = re.sub(r"\.onnx$", "", os.path.basename(model))
        columns = []
        for times in (cli, wall):
            columns.append("%8.1f (%.1f-%.1f)" % (statistics.median(times), min(times), max(times)))
        ratio = statistics.median(wall) / statistics.median(cli)
        cpu = ["%8.1f (%.1f-%.1f)" % (statistics.median(t), min(t), max(t)) for t in (cli_cpu, python_cpu)]
        cpu_ratio = statistics.median(python_cpu) / statistics.median(cli_cpu)
        row = (name, columns[0], columns[1], ratio, cpu[0], cpu[1], cpu_ratio)
        print("%-12s %-23s %-25s %6.3f   %-24s %-16s %6.3f" % row)


if __name__ == "__main__":
    main()
