"""Build performance of the book, on a copy of the repository.

Run: python benchmarks/bench_build.py
Prints: cold full build (fresh _build, every notebook executed), rebuild with nothing
changed, rebuild after editing one notebook (only it should re-execute), nbval over all
notebooks, the size of the site and of its largest page (HTML plus the images and
frames it loads).
"""

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JB = str(Path(sys.executable).with_name("jupyter-book"))
BUILD = [JB, "build", "--warningiserror", "--nitpick", "--keep-going", "."]


def timed(cmd, cwd):
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - start, result.stdout


def executed_notebooks(log):
    return len(re.findall(r"Executing notebook", log))


def page_weight(html_root, page):
    """Bytes of a page plus the local images it references (frames are inline in the HTML)."""
    total = page.stat().st_size
    for src in set(re.findall(r'<img[^>]+src="([^"]+)"', page.read_text())):
        if not src.startswith(("data:", "http")):
            path = (page.parent / src.split("?")[0]).resolve()
            if path.exists():
                total += path.stat().st_size
    return total


def main():
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        shutil.copytree(ROOT, book, ignore=shutil.ignore_patterns("_build", ".git", "test-artifacts"))
        rows = []
        cold, log = timed(BUILD, book)
        rows.append(("cold full build", cold, f"{executed_notebooks(log)} notebooks executed"))
        warm, log = timed(BUILD, book)
        rows.append(("rebuild, nothing changed", warm, f"{executed_notebooks(log)} notebooks executed"))
        target = book / "chapters" / "02_regression.ipynb"
        nb = json.loads(target.read_text())
        # a code edit: jupyter-cache hashes code cells, so this notebook must re-execute
        nb["cells"].append({"cell_type": "code", "id": "bench-edit", "metadata": {},
                            "execution_count": None, "outputs": [], "source": ["edited = True"]})
        target.write_text(json.dumps(nb))
        one, log = timed(BUILD, book)
        rows.append(("rebuild after editing one notebook", one, f"{executed_notebooks(log)} notebooks executed"))
        target.write_text((ROOT / "chapters" / "02_regression.ipynb").read_text())
        nbval, log = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "chapters"], book)
        rows.append(("nbval, all chapter notebooks", nbval, log.strip().splitlines()[-1]))

        html = book / "_build" / "html"
        site = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
        pages = {p: page_weight(html, p) for p in html.rglob("*.html") if "_static" not in p.parts}
        largest = max(pages, key=pages.get)

    print(f"{'step':38s} {'seconds':>8s}  detail")
    for name, seconds, detail in rows:
        print(f"{name:38s} {seconds:8.1f}  {detail}")
    print(f"\nsite size: {site / 2**20:.1f} MB")
    print(f"largest page: {largest.relative_to(html)} {pages[largest] / 2**20:.2f} MB")
    for page, size in sorted(pages.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {page.relative_to(html).as_posix():50s} {size / 2**10:8.0f} KB")


if __name__ == "__main__":
    main()
