"""The book's table of contents matches the notebooks on disk, and the book builds warning-free."""

from pathlib import Path

import yaml
from exclude_environments import source_files  # _ext/, on the path (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
# Notebooks that live in the repository but are deliberately not pages of the book.
NOT_IN_BOOK = set()


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))
            for part in entry.get("chapters", []):
                walk([part])

    walk(toc.get("chapters", []))
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    return files


def resolve(entry):
    for suffix in (".ipynb", ".md"):
        path = ROOT / (entry + suffix)
        if path.exists():
            return path
    return None


def test_every_toc_entry_exists():
    missing = [entry for entry in toc_files() if resolve(entry) is None]
    assert not missing, f"_toc.yml names files that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = {resolve(entry).relative_to(ROOT).as_posix() for entry in toc_files() if resolve(entry)}
    # nbgrader assignments (classroom/) are handed out to students, not pages of the book
    notebooks = {
        p.relative_to(ROOT).as_posix()
        for p in source_files(ROOT, "*.ipynb")
        if not {".ipynb_checkpoints", "classroom"} & set(p.parts)
    }
    orphans = notebooks - listed - NOT_IN_BOOK
    assert not orphans, f"notebooks not in _toc.yml (add them, or to NOT_IN_BOOK with a reason): {orphans}"


def test_book_builds_without_warnings(built_book):
    pages = {p.relative_to(built_book).as_posix() for p in built_book.rglob("*.html")}
    for entry in toc_files():
        assert f"{entry}.html" in pages, f"{entry} was not built"


def _chapter_pages(built_book):
    """(path, chapter number, HTML) of every numbered page, from its "N." or "N.M." title."""
    from bs4 import BeautifulSoup

    pages = []
    for path in sorted(built_book.glob("chapters/*.html")):
        soup = BeautifulSoup(path.read_text(), "html.parser")
        number = soup.select_one("article h1 span.section-number")
        if number is not None:
            pages.append((path.name, number.get_text().split(".")[0], soup))
    return pages


def test_figures_equations_and_exercises_are_numbered_per_chapter(built_book):
    import re

    pages = _chapter_pages(built_book)
    assert len(pages) >= 9, [name for name, _, _ in pages]
    kinds = {"Exercise": 0, "Fig.": 0, "equation": 0}
    for name, chapter, soup in pages:
        for caption in soup.select("article span.caption-number"):
            text = caption.get_text().strip()
            kind = text.split()[0]
            assert re.fullmatch(rf"(Exercise|Fig\.|Table) {chapter}\.\d+", text), f"{name}: {text!r}"
            kinds[kind] = kinds.get(kind, 0) + 1
        for eqno in soup.select("article div.math span.eqno"):
            text = eqno.get_text().strip().rstrip("#")  # without its "#" permalink
            assert re.fullmatch(rf"\({chapter}\.\d+\)", text), f"{name}: equation {text!r}"
            kinds["equation"] += 1
    assert all(kinds[k] > 0 for k in ("Exercise", "Fig.", "equation")), kinds


def test_advanced_losses_sub_pages_continue_chapter_4s_numbers(built_book):
    pages = {name: soup for name, _, soup in _chapter_pages(built_book)}
    exercises = [c.get_text().strip() for name in ("04a_imbalance.html", "04b_segmentation.html",
                                                   "04c_distributions_and_similarity.html")
                 for c in pages[name].select("article span.caption-number")
                 if c.get_text().startswith("Exercise")]
    # one counter for the chapter: 4.1, 4.2, ... across its three pages, none repeated
    assert exercises == [f"Exercise 4.{k}" for k in range(1, len(exercises) + 1)], exercises
    assert pages["04a_imbalance.html"].select_one("article h1 span.section-number").get_text() == "4.1. "


def test_citations_are_author_year_in_round_brackets(built_book):
    import re

    from bs4 import BeautifulSoup

    parenthetical = re.compile(r"\(([^()]+ \d{4}[a-z]?)(; [^()]+ \d{4}[a-z]?)*\)")
    narrative = re.compile(r"[^()]+ \(\d{4}[a-z]?(, \d{4}[a-z]?)*\)")
    found = {"parenthetical": 0, "narrative": 0}
    for path in sorted(built_book.rglob("*.html")):
        for cite in BeautifulSoup(path.read_text(), "html.parser").select("span.bibtex-citation"):
            text = " ".join(cite.get_text().split())
            assert "[" not in text and "]" not in text, f"{path.name}: {text!r}"
            if parenthetical.fullmatch(text):
                found["parenthetical"] += 1
                assert ", " in text, f"{path.name}: {text!r} lacks the comma of (Author, year)"
            elif narrative.fullmatch(text):
                found["narrative"] += 1
            else:
                raise AssertionError(f"{path.name}: citation {text!r} is neither (Lin et al., 2017) "
                                     "nor Lin et al. (2017)")
    assert found["parenthetical"] and found["narrative"], found
