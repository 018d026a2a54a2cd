"""axe-core on every page of the built book, in light and in dark mode.

Fails on any critical or serious violation (and on content outside landmarks), with
per-page counts in the message. axe-core is the copy shipped inside the PyPI package
axe-playwright-python (injected into the page; nothing is fetched). The rules and what
counts as failing are those of scripts/page_report.py, which prints the same counts.
"""

import shutil
import sys
from pathlib import Path

import pytest
from playwright import sync_api as playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import page_report  # noqa: E402  (scripts/ is not a package)

if shutil.which("chromium") is None:
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402


@pytest.fixture(scope="module")
def site(built_book):
    with page_report.serve(built_book) as base:
        yield base, built_book


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = page_report.launch(p)
        yield browser
        browser.close()


def test_axe_core_is_the_packaged_copy():
    # the script injected into each page comes with the package, not from a CDN
    assert Axe().axe_script.lstrip().startswith("/*! axe v4.")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_accessibility_violation_on_any_page(site, browser, theme):
    base, html_root = site
    reader = page_report.Reader(browser, base, "desktop", theme)
    axe = Axe()
    per_page = {}
    for path in page_report.book_pages(html_root):
        page = reader.open(path)
        assert page.evaluate("document.documentElement.dataset.theme") == theme, path
        per_page[path] = page_report.axe_violations(page, axe)
    reader.close()
    assert len(per_page) >= 14, sorted(per_page)
    assert not reader.foreign, reader.foreign
    failing = {path: found for path, found in per_page.items() if found}
    report = "\n".join(f"{path}: {sum(n for _, _, n in found)} nodes {found}"
                       for path, found in failing.items())
    assert not failing, f"{theme} mode, axe-core violations per page:\n{report}"
