"""Figures of a run and a plan with matplotlib, styled like the app's
charts (widgets/chart_style.cpp, memory_timeline.cpp, memory_map.cpp):

    fig = interstage.plot.memory_timeline(session.stats(), session.plan())
    fig.savefig("timeline.png")

Each function returns a matplotlib Figure made without pyplot, so it works
on a machine with no display (the Agg canvas) and never opens a window;
pass ax= to draw into an axes of your own instead.
"""

import math

import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ._interstage import MEMORY_CATEGORIES

# The app's colours (widgets/chart_style.cpp's categoryColor and theme).
CATEGORY_COLORS = {
    "weights": "#a7b1bd",
    "interstage": "#4c8bf5",
    "workspace": "#b39ddb",
    "input": "#f2c14e",
    "output": "#ef8a62",
    "staging": "#6cc5b0",
}
AXIS_COLOR = "#5f6368"
TEXT_COLOR = "#3c4043"
GRID_COLOR = "#e3e6ea"
RSS_COLOR = "#3c4043"
LOWER_BOUND_COLOR = "#d93025"
ALIASED_BOUND_COLOR = "#9c27b0"
PEAK_COLOR = "#c5221f"
SMALL_TENSOR_COLOR = (0xB9 / 255, 0xD3 / 255, 0xF6 / 255)
LARGE_TENSOR_COLOR = (0x1F / 255, 0x5F / 255, 0xBF / 255)
TIMING_COLOR = "#e06c00"  # the first run set's colour (setColor(1))

MIB = 1024.0 * 1024.0


def _axes(ax, figsize):
    """The axes to draw in: the caller's, or a new figure's."""
    if ax is not None:
        return ax.figure, ax
    figure = Figure(figsize=figsize, dpi=100, facecolor="white")
    return figure, figure.add_subplot(1, 1, 1)


def style_axes(ax):
    """The app's theme: white, grey axes on two sides, light grid."""
    ax.set_facecolor("white")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(AXIS_COLOR)
    ax.tick_params(colors=AXIS_COLOR, labelcolor=TEXT_COLOR, labelsize=9, direction="out", length=4)
    ax.grid(True, color=GRID_COLOR, linewidth=1)
    ax.set_axisbelow(True)
    ax.xaxis.label.set_color(TEXT_COLOR)
    ax.yaxis.label.set_color(TEXT_COLOR)
    ax.title.set_color(TEXT_COLOR)


def category_series(stats):
    """Tracked bytes per category after each event of the run.

    Returns (time_ms, {category: bytes array}), the events in time order,
    starting from the bytes held when the run started.
    """
    events = stats["events"]
    order = np.argsort(events["time_ns"], kind="stable")
    time_ms = np.concatenate([[0.0], events["time_ns"][order] / 1e6])
    series = {}
    for code, name in enumerate(MEMORY_CATEGORIES):
        delta = np.where(events["category"][order] == code, events["bytes"][order], 0)
        series[name] = stats["bytes_at_start"][name] + np.concatenate([[0], np.cumsum(delta)])
    return time_ms, series


def memory_timeline(stats, plan=None, ax=None, title=None):
    """Tracked memory by category over the run (stacked), the process's
    resident memory, and the plan's lower bounds when a plan is given."""
    figure, ax = _axes(ax, (9, 4.5))
    style_axes(ax)
    time_ms, series = category_series(stats)
    shown = [name for name in MEMORY_CATEGORIES if np.any(series[name] > 0)]
    if shown:
        ax.stackplot(
            time_ms,
            [series[name] / MIB for name in shown],
            labels=[name.capitalize() for name in shown],
            colors=[CATEGORY_COLORS[name] for name in shown],
            step="post",
            alpha=0.85,
            edgecolor="none",
        )
    rss = stats["rss"]
    if len(rss["time_ns"]):
        ax.plot(rss["time_ns"] / 1e6, rss["bytes"] / MIB, color=RSS_COLOR, linewidth=1.3, label="Resident (RSS)")
    if plan is not None:
        # Both bounds, as the app draws them; the second only where in-place
        # writes make it lower.
        bounds = [("Lower bound", plan["executed_lower_bound_bytes"], LOWER_BOUND_COLOR, "--")]
        if plan["aliased_lower_bound_bytes"] != plan["executed_lower_bound_bytes"]:
            bounds.append(("Lower bound (in place)", plan["aliased_lower_bound_bytes"], ALIASED_BOUND_COLOR, ":"))
        for label, value, color, style in bounds:
            ax.axhline(value / MIB, color=color, linestyle=style, linewidth=1.4, label=label)
    ax.set_xlabel("time in run (ms)")
    ax.set_ylabel("memory (MiB)")
    ax.set_xlim(0, max(stats["ms"], time_ms[-1] if len(time_ms) else 0))
    ax.set_ylim(bottom=0)
    ax.set_title(title or "Memory timeline, run %d (%.0f ms)" % (stats["run"], stats["ms"]), fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, frameon=False, fontsize=9)
    figure.tight_layout()
    return figure


def _tensor_color(size, smallest, largest):
    """Light blue for small tensors to deep blue for the largest, on a log
    scale (sizes span orders of magnitude), as the app's map colours them."""
    t = 1.0
    if largest > smallest and size > 0:
        low = math.log(max(1.0, smallest))
        t = (math.log(size) - low) / (math.log(largest) - low)
    t = min(max(t, 0.0), 1.0)
    return tuple(a + t * (b - a) for a, b in zip(SMALL_TENSOR_COLOR, LARGE_TENSOR_COLOR))


def buffer_origins(tensors):
    """Each tensor's address in the map: its buffer's lanes stacked in
    order of first use, the tensor at its offset inside. Returns the
    origins (bytes) and the total height."""
    buffers = {}
    for buffer, first, offset, size in zip(tensors["buffer"], tensors["first"], tensors["offset"], tensors["bytes"]):
        top, start = buffers.get(int(buffer), (0, first))
        buffers[int(buffer)] = (max(top, int(offset) + int(size)), min(start, first))
    y = 0
    base = {}
    for buffer, (height, _) in sorted(buffers.items(), key=lambda item: (item[1][1], item[0])):
        base[buffer] = y
        y += height
    origins = np.array([base[int(b)] + int(o) for b, o in zip(tensors["buffer"], tensors["offset"])], dtype=np.float64)
    return origins, y


def memory_map(plan, ax=None, title=None):
    """Every planned tensor as a block: steps across, its place in the
    plan's buffers up; outputs and pinned tensors in the output colour,
    kernel workspace in the workspace colour."""
    figure, ax = _axes(ax, (9, 4.5))
    style_axes(ax)
    tensors = plan["tensors"]
    origins, height = buffer_origins(tensors)
    sizes = tensors["bytes"]
    positive = sizes[sizes > 0]
    smallest = float(positive.min()) if len(positive) else 1.0
    largest = float(positive.max()) if len(positive) else 1.0
    patches, colors = [], []
    for i, name in enumerate(tensors["name"]):
        end = tensors["moved_at"][i] if tensors["moved_at"][i] >= 0 else tensors["last"][i] + 1
        first = tensors["first"][i]
        patches.append(Rectangle((first, origins[i] / MIB), max(1, end - first), sizes[i] / MIB))
        if tensors["kept"][i]:
            colors.append(CATEGORY_COLORS["output"])
        elif name.startswith("workspace of "):
            colors.append(CATEGORY_COLORS["workspace"])
        else:
            colors.append(_tensor_color(float(sizes[i]), smallest, largest))
    ax.add_collection(PatchCollection(patches, facecolors=colors, edgecolors="white", linewidths=0.2))
    steps = max(len(plan["steps"]), int(tensors["last"].max()) + 1 if len(sizes) else 1)
    ax.set_xlim(0, steps)
    ax.set_ylim(0, max(height / MIB, 1e-3))
    ax.axhline(
        plan["planned_buffer_peak_bytes"] / MIB,
        color=PEAK_COLOR,
        linestyle="--",
        linewidth=1,
        label="Planned buffer peak %.1f MiB" % (plan["planned_buffer_peak_bytes"] / MIB),
    )
    ax.set_xlabel("step (node in execution order)")
    ax.set_ylabel("address in the plan's buffers (MiB)")
    ax.set_title(title or "Memory map: %d tensors" % len(sizes), fontsize=10)
    ax.legend(loc="upper right", frameon=False, fontsize=9)
    figure.tight_layout()
    return figure


def timings(stats, top=25, ax=None, title=None):
    """The slowest nodes of a run as horizontal bars, slowest on top."""
    nodes = stats["nodes"]
    count = min(top, len(nodes["ms"]))
    order = np.argsort(nodes["ms"])[::-1][:count]
    figure, ax = _axes(ax, (9, max(2.5, 0.25 * count + 1.2)))
    style_axes(ax)
    labels = ["%s (%s)" % (nodes["name"][i], nodes["op"][i]) for i in order]
    ax.barh(range(count), nodes["ms"][order], color=TIMING_COLOR, edgecolor="#a85100", linewidth=0.6)
    ax.set_yticks(range(count))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.grid(True, axis="x", color=GRID_COLOR)
    ax.grid(False, axis="y")
    ax.set_xlabel("time (ms)")
    ax.set_title(
        title or "Slowest %d of %d nodes, run %d (%.1f ms)" % (count, len(nodes["ms"]), stats["run"], stats["ms"]),
        fontsize=10,
    )
    figure.tight_layout()
    return figure
