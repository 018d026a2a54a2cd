"""Slider latency and static-frame weight for every explorer.

Run: python benchmarks/bench_sliders.py
For each explorer: the median time of one live slider step (what the ipywidgets
callback does: recompute the curves, redraw them, encode the PNG, set the image
widget), measured over every grid value; and the number and total size of the frames
the static HTML book stores.
"""

import statistics
import time

from lossviz.explorers import EXPLORERS
from lossviz.frames import static_html
from lossviz.widgets import explore


def main():
    print(f"{'explorer':16s} {'step ms (median)':>17s} {'step ms (max)':>14s} {'frames':>7s} {'HTML KB':>8s}")
    for name, make in EXPLORERS.items():
        view = explore(make())
        times = []
        for _ in range(3):
            for values in view.explorer.grid():
                for slider, param in zip(view.sliders, view.explorer.params):
                    if slider.value == values[param.name]:
                        continue  # no change, no callback
                    start = time.perf_counter()
                    slider.value = values[param.name]
                    times.append(time.perf_counter() - start)
        page = static_html(view.explorer)
        frames = len(list(view.explorer.grid()))
        print(f"{name:16s} {1e3 * statistics.median(times):17.1f} {1e3 * max(times):14.1f} "
              f"{frames:7d} {len(page) / 1024:8.0f}")


if __name__ == "__main__":
    main()
