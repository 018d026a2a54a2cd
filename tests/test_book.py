"""The book's table of contents matches the notebooks on disk, and the book builds warning-free."""

from pathlib import Path

import yaml

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
        for p in ROOT.rglob("*.ipynb")
        if not {"_build", ".ipynb_checkpoints", "classroom"} & set(p.parts)
    }
    orphans = notebooks - listed - NOT_IN_BOOK
    assert not orphans, f"notebooks not in _toc.yml (add them, or to NOT_IN_BOOK with a reason): {orphans}"


def test_book_builds_without_warnings(built_book):
    pages = {p.relative_to(built_book).as_posix() for p in built_book.rglob("*.html")}
    for entry in toc_files():
        assert f"{entry}.html" in pages, f"{entry} was not built"
