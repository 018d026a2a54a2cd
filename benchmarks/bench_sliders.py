"""Slider latency, positions and weight of every explorer, and the weight of built pages.

Run: python benchmarks/bench_sliders.py [BUILT_HTML_DIR]
For each explorer: the number of slider positions the static book stores, the size of
its static HTML (figure, controls and every frame), the time to build that HTML, and
the median and maximum time of one live slider step (what the ipywidgets callback
does: recompute the curves, redraw them, encode the PNG, set the image widget) over up
to 60 grid values. With BUILT_HTML_DIR (e.g. _build/html): each page with an explorer
or a figure, its HTML bytes, the bytes of the local images it loads, and how many of
those images are SVG or raster.

The same script runs against an older lossviz (PYTHONPATH pointing at another
checkout) for a before/after comparison: it uses only static_html, explore and grid.
"""

import re
import statistics
import sys
import time
from pathlib import Path

from lossviz.explorers import EXPLORERS
from lossviz.frames import static_html
from lossviz.widgets import explore

MAX_STEPS = 60


def explorer_rows():
    print(f"{'explorer':16s} {'positions':>10s} {'HTML KB':>8s} {'build s':>8s} "
          f"{'step ms (median)':>17s} {'step ms (max)':>14s}")
    for name, make in EXPLORERS.items():
        explorer = make()
        grid = list(explorer.grid())
        start = time.perf_counter()
        page = static_html(explorer)
        build = time.perf_counter() - start
        view = explore(explorer)
        times = []
        stride = max(1, len(grid) // MAX_STEPS)
        for values in grid[::stride]:
            for slider, param in zip(view.sliders, explorer.params):
                if slider.value == values[param.name]:
                    continue  # no change, no callback
                start = time.perf_counter()
                slider.value = values[param.name]
                times.append(time.perf_counter() - start)
        positions = " x ".join(str(len(p.values)) for p in explorer.params)
        print(f"{name:16s} {positions:>10s} {len(page.encode()) / 1024:8.0f} {build:8.1f} "
              f"{1e3 * statistics.median(times):17.1f} {1e3 * max(times):14.1f}")


def page_rows(html_root):
    print(f"\n{'page':48s} {'HTML KB':>8s} {'images KB':>10s} {'total KB':>9s} "
          f"{'SVG img':>8s} {'raster img':>11s} {'explorers':>10s}")
    for page in sorted(html_root.glob("chapters/*.html")):
        text = page.read_text()
        images = 0
        kinds = {"svg": 0, "raster": 0}
        for src in set(re.findall(r'<img[^>]+src="([^"]+)"', text)):
            if src.startswith("data:image/svg"):
                kinds["svg"] += 1
            elif src.startswith("data:"):
                kinds["raster"] += 1
            elif not src.startswith("http"):
                path = (page.parent / src.split("?")[0]).resolve()
                if path.exists():
                    images += path.stat().st_size
                    kinds["svg" if path.suffix == ".svg" else "raster"] += 1
        explorers = text.count('<figure class="lossviz-explorer"')
        size = page.stat().st_size
        print(f"{page.relative_to(html_root).as_posix():48s} {size / 1024:8.0f} "
              f"{images / 1024:10.0f} {(size + images) / 1024:9.0f} {kinds['svg']:8d} "
              f"{kinds['raster']:11d} {explorers:10d}")


def main():
    explorer_rows()
    if len(sys.argv) > 1:
        page_rows(Path(sys.argv[1]))


if __name__ == "__main__":
    main()
