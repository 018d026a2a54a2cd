"""Build performance of the book, on a copy of the repository.

Run: python benchmarks/bench_build.py
Prints: cold full build (fresh _build, every notebook executed), rebuild with nothing
changed, rebuild after editing one notebook (only it should re-execute), nbval over all
notebooks, the size of the site and of its largest page (HTML plus the images and
frames it loads); then the PDF (README: "Build the PDF"): its build after the HTML
build (notebooks cached, as in the Pages workflow), its build from a fresh copy (every
notebook executed, as from a fresh clone), its size and its page count. Aim: under 5
minutes and under 30 MB. Skip the PDF with --no-pdf (it needs TeX Live), or measure
only its build from a fresh copy with --pdf-only.
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
BUILD_PDF = BUILD[:-1] + ["--builder", "pdflatex", "."]


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


def copy_book(tmp, name):
    book = Path(tmp) / name
    shutil.copytree(ROOT, book, ignore=shutil.ignore_patterns("_build", ".git", "test-artifacts"))
    return book


def pdf_pages(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def fresh_pdf(tmp, rows):
    """Build the PDF in a fresh copy (every notebook executed); return its size and pages."""
    fresh = copy_book(tmp, "fresh")
    seconds, log = timed(BUILD_PDF, fresh)
    rows.append(("PDF build from a fresh copy", seconds, f"{executed_notebooks(log)} notebooks executed"))
    pdf = fresh / "_build" / "latex" / "book.pdf"
    return pdf.stat().st_size, pdf_pages(pdf)


def main():
    with_pdf = "--no-pdf" not in sys.argv[1:]
    if "--pdf-only" in sys.argv[1:]:
        rows = []
        with tempfile.TemporaryDirectory() as tmp:
            size, count = fresh_pdf(tmp, rows)
        for name, seconds, detail in rows:
            print(f"{name:38s} {seconds:8.1f} s  {detail}")
        print(f"PDF: {size / 2**20:.1f} MB, {count} pages")
        return
    with tempfile.TemporaryDirectory() as tmp:
        book = copy_book(tmp, "book")
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

        if with_pdf:
            seconds, log = timed(BUILD_PDF, book)
            rows.append(("PDF build after the HTML build", seconds, f"{executed_notebooks(log)} notebooks executed"))
            pdf_size, pdf_count = fresh_pdf(tmp, rows)

    print(f"{'step':38s} {'seconds':>8s}  detail")
    for name, seconds, detail in rows:
        print(f"{name:38s} {seconds:8.1f}  {detail}")
    print(f"\nsite size: {site / 2**20:.1f} MB")
    if with_pdf:
        print(f"PDF: {pdf_size / 2**20:.1f} MB, {pdf_count} pages")
    print(f"largest page: {largest.relative_to(html)} {pages[largest] / 2**20:.2f} MB")
    for page, size in sorted(pages.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {page.relative_to(html).as_posix():50s} {size / 2**10:8.0f} KB")


if __name__ == "__main__":
    main()
