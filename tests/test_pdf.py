"""The book as a PDF: built with the README's command, checked as a reader would see it.

The first tests check, without TeX, how ``_ext/latex_explorers.py`` turns an explorer's
HTML into a figure, and that it refuses what it cannot convert. The tests marked
``pdf`` build the whole PDF once (Jupyter Book's LaTeX builder, xelatex through
latexmk) and read it back with poppler-utils (pdftotext, pdfinfo, pdfimages, pdffonts).
Without TeX Live or poppler-utils they are skipped locally; under CI (the environment
variable CI set, as in .ci/run) they fail instead, because CI must build the PDF.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lossviz.explorers import huber_explorer
from lossviz.widgets import explore

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
import latex_explorers  # noqa: E402  (a Sphinx extension of this book, not a package)

TOOLS = ["xelatex", "latexmk", "pdftotext", "pdfinfo", "pdfimages", "pdffonts"]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
BASEURL = CONFIG["html"]["baseurl"]


# --- the explorer conversion, without TeX ---------------------------------------------

def _output(explorer):
    """HTML and image frames of an explorer's notebook output, as the extension sees them."""
    bundle = explore(explorer)._repr_mimebundle_()
    frames = {mime: base64.b64decode(data) for mime, data in bundle.items()
              if mime in latex_explorers.EXTENSIONS}
    return bundle["text/html"], frames


def test_explorer_output_becomes_frame_caption_and_values():
    explorer = huber_explorer()
    found = latex_explorers.parse_explorer(*_output(explorer))
    assert found["caption"] == explorer.title
    assert found["values"] == [f"{p.label} = {p.default:g}" for p in explorer.params]
    # the vector frame, and the default one, not another point of the grid
    assert found["mime"] == "application/pdf"
    assert found["data"] == explorer.pdf(**explorer.defaults)


def test_explorer_that_cannot_be_converted_stops_the_build():
    fragment, frames = _output(huber_explorer())
    with pytest.raises(ValueError, match="image/svg\\+xml"):
        latex_explorers.parse_explorer(fragment, {"image/svg+xml": b"<svg></svg>"})
    with pytest.raises(ValueError, match="none"):
        latex_explorers.parse_explorer(fragment, {})
    with pytest.raises(ValueError, match="found 2"):
        latex_explorers.parse_explorer(fragment + fragment, frames)
    with pytest.raises(ValueError, match="figcaption"):
        latex_explorers.parse_explorer(re.sub(r"<figcaption>.*?</figcaption>", "", fragment), frames)
    with pytest.raises(ValueError, match="aria-valuetext"):
        latex_explorers.parse_explorer(re.sub(r'aria-valuetext="[^"]*"', "", fragment), frames)


def test_interactive_address_is_the_chapters_html_page():
    assert (latex_explorers.interactive_url(BASEURL, "chapters/02_regression")
            == "https://lossviz.github.io/loss-functions-book/chapters/02_regression.html")
    with pytest.raises(ValueError, match="html.baseurl"):
        latex_explorers.interactive_url("", "chapters/02_regression")


def test_html_pages_link_the_book_pdf(built_book):
    page = (built_book / "chapters" / "02_regression.html").read_text()
    assert re.search(r'href="\.\./book\.pdf"[^>]*>.*?Book \(PDF\)', page, re.S), \
        "the download menu should offer the whole book as a PDF"
    assert 'href="book.pdf"' in (built_book / "intro.html").read_text()


# --- what the sources promise ---------------------------------------------------------

def _toc_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = []

    def walk(entries):
        for entry in entries:
            pages.append(entry["file"])
            walk(entry.get("sections", []))

    walk(toc.get("chapters", []))
    for part in toc.get("parts", []):
        walk(part["chapters"])
    return pages


def _markdown_and_code(page):
    """(markdown text, code cells) of a page of the book."""
    path = ROOT / f"{page}.ipynb"
    if not path.exists():
        return (ROOT / f"{page}.md").read_text(), []
    cells = [c for c in json.loads(path.read_text())["cells"]
             if "remove-cell" not in c["metadata"].get("tags", [])]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return text, ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def _title(page):
    text, _ = _markdown_and_code(page)
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


def _explorers(page):
    _, code = _markdown_and_code(page)
    return sum(len(re.findall(r"^(?:\w+ = )?explore\(", cell, re.M)) for cell in code)


def _squash(text):
    return re.sub(r"\s+", "", text).lower()


# --- the PDF --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    """Build the PDF once with the README's command; return the LaTeX output folder."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = (f"{', '.join(missing)} not installed; .ci/run installs texlive-xetex, "
                   "texlive-latex-extra, latexmk, fonts-freefont-otf, fonts-dejavu-core and poppler-utils")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("pdf")
    # The HTML build test (tests/conftest.py) ran first in this session: reuse its
    # executed notebooks instead of running every notebook again.
    for cache in tmp_path_factory.getbasetemp().glob("book*/_build/.jupyter_cache"):
        shutil.copytree(cache, out / "_build" / ".jupyter_cache")
        break
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", "--warningiserror",
           "--nitpick", "--keep-going", "--builder", "pdflatex", "--path-output", str(out), str(ROOT)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, stdin=subprocess.DEVNULL)
    latex = out / "_build" / "latex"
    if result.returncode != 0 or not (latex / "book.pdf").exists():
        log = (latex / "book.log").read_text(errors="replace")[-3000:] if (latex / "book.log").exists() else ""
        pytest.fail(f"PDF build failed:\n{result.stdout[-4000:]}\n{result.stderr[-3000:]}\n{log}")
    return latex


def _run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def text(pdf):
    return _run("pdftotext", str(pdf / "book.pdf"), "-")


@pytest.mark.pdf
def test_every_chapter_is_in_the_pdf(text):
    squashed = _squash(text)
    # the bibliography page's own title is replaced by the PDF's Bibliography
    missing = [_title(page) for page in _toc_pages() if _squash(_title(page)) not in squashed]
    assert not missing, f"chapter titles missing from the PDF: {missing}"


@pytest.mark.pdf
def test_figures_have_the_web_books_numbers(text, built_book):
    """"Fig. 4.3" is the same figure in the PDF as on the web (the intro is no chapter)."""
    squashed = _squash(text)
    numbered = []
    for page in sorted(built_book.glob("chapters/*.html")):
        numbered += re.findall(r'<span class="caption-number">(Fig\. [\d.]+) </span>'
                               r'<span class="caption-text">([^<]{1,30})', page.read_text())
    assert len(numbered) > 20, "no numbered figures found in the HTML book"
    missing = [f"{number} {caption}" for number, caption in numbered
               if _squash(f"{number}: {caption}") not in squashed]
    assert not missing, f"numbered differently in the PDF: {missing[:5]}"


@pytest.mark.pdf
def test_no_unresolved_reference_or_raw_tex(text, pdf):
    for leftover in ["??", "\\ref", "\\eqref", "$$", "\\(", "\\frac", "\\begin{"]:
        assert leftover not in text, f"{leftover!r} in the PDF text"
    log = (pdf / "book.log").read_text(errors="replace")
    assert "Missing character" not in log, "a font lacks a glyph the book uses (see book.log)"
    assert not re.search(r"LaTeX Warning: (Reference|Citation) .* undefined", log)


@pytest.mark.pdf
def test_every_explorer_is_a_figure_with_its_values_and_address(text):
    squashed = _squash(text)
    total = 0
    for page in _toc_pages():
        expected = _explorers(page)
        total += expected
        url = _squash(f"{BASEURL.rstrip('/')}/{page}.html")
        assert squashed.count(url) == expected, f"{page}: {expected} explorers, each pointing to {url}"
    assert total >= 10
    assert len(re.findall(r"Shown for [^.]+= ", text)) == total


@pytest.mark.pdf
def test_every_figure_is_embedded_and_sharp(pdf):
    source = (pdf / "book.tex").read_text()
    included = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([^}]+)\}(\.\w+)\}", source)
    # every plot a notebook made when executed is in the PDF, as vector graphics (an
    # explorer's frame under the name the extension gives it: a hash of its bytes)
    names = {Path(base).name + ext for base, ext in included}
    made = list((pdf.parent / "jupyter_execute").glob("*.pdf"))
    missing = [p.name for p in made
               if p.name not in names and hashlib.sha256(p.read_bytes()).hexdigest()[:16] + ".pdf" not in names]
    assert made and not missing
    assert {ext for _, ext in included} == {".pdf"}, "a figure is a raster image"
    assert sum(base.startswith("explorers/") for base, _ in included) == sum(map(_explorers, _toc_pages()))
    # the raster parts inside them (imshow) are at print resolution
    listing = _run("pdfimages", "-list", str(pdf / "book.pdf")).splitlines()[2:]
    for row in listing:
        page, x_ppi, y_ppi = row.split()[0], int(row.split()[12]), int(row.split()[13])
        assert min(x_ppi, y_ppi) >= 200, f"an image on page {page} at {x_ppi} x {y_ppi} ppi"


@pytest.mark.pdf
def test_exercises_come_with_their_solutions(text):
    markdown = "\n".join(_markdown_and_code(page)[0] for page in _toc_pages())
    exercises = len(re.findall(r"\{exercise\}", markdown))
    # a solution is a {solution} block, or the cells between {solution-start} and {solution-end}
    solutions = len(re.findall(r"\{solution(?:-start)?\}", markdown))
    assert exercises > 0 and solutions == exercises
    assert len(re.findall(r"Solution to Exercise \d+", text)) == solutions


@pytest.mark.pdf
def test_bibliography_lists_what_the_chapters_cite(text, pdf):
    labels = re.findall(r"\\bibitem\[([^]]+)\]", (pdf / "book.tex").read_text())
    assert labels, "no bibliography in the PDF"
    assert "Bibliography" in text
    for label in labels:
        assert f"[{label}]" in text


@pytest.mark.pdf
def test_size_pages_and_fonts(pdf):
    info = _run("pdfinfo", str(pdf / "book.pdf"))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert 60 <= pages <= 400, f"{pages} pages"
    assert (pdf / "book.pdf").stat().st_size < 30 * 2**20
    fonts = _run("pdffonts", str(pdf / "book.pdf")).splitlines()[2:]
    assert fonts
    # columns: name, type (may be two words), encoding, emb, sub, uni, object, generation
    not_embedded = [row for row in fonts if row.split()[-5] != "yes"]
    assert not not_embedded, f"fonts not embedded: {not_embedded}"
    assert not [row for row in fonts if "Type 3" in row], "bitmap (Type 3) fonts blur in print"
