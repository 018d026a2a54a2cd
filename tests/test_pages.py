"""The built book as a reader sees it, on a desktop (1366 px) and a phone (390 px).

Equations are never cut off without a way to scroll to the rest, and their numbers
never cover them; no page scrolls sideways, and on a desktop no code block does; the top bar is not an empty strip with a
second search box; "skip to main content" reaches the article; a citation shows its
bibliography entry on hover; searching for a loss's name finds its section first.
The measurements are those of scripts/page_report.py, which prints the same figures
(and how many equations scroll, and which code blocks scroll sideways) for a report.
One server and one browser for the module; every request to another host is blocked.
"""

import re
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


@pytest.fixture
def reader(site, browser, request):
    base, _ = site
    width, theme = getattr(request, "param", ("desktop", "light"))
    reader = page_report.Reader(browser, base, width, theme)
    yield reader
    assert not reader.foreign, f"requests to other hosts: {sorted(set(reader.foreign))}"
    reader.close()


@pytest.mark.parametrize("reader", [("desktop", "light"), ("phone", "light")], indirect=True,
                         ids=["1366px", "390px"])
def test_no_equation_or_code_block_is_cut_off_and_no_number_covers_a_formula(site, reader):
    _, html_root = site
    numbered, scrolling, problems = 0, 0, []
    for path in page_report.book_pages(html_root):
        page = reader.open(path)
        for eq in page_report.measure_equations(page):
            numbered += 1
            scrolling += bool(eq.get("scrolls"))
            if not eq["rendered"]:
                problems.append(f"{path}#{eq['id']}: not typeset")
            elif eq["clipped"]:
                problems.append(f"{path}#{eq['id']}: cut off with no visible way to scroll")
            elif eq["overlaps"]:
                problems.append(f"{path}#{eq['id']}: its number covers the formula")
        wider = page.evaluate(page_report.PAGE_WIDER_JS)
        if wider > 0:
            problems.append(f"{path}: the page scrolls sideways by {wider} px")
        # on a desktop the column is wide enough for every code line (88 characters)
        if page.viewport_size["width"] >= 1366:
            for block in page_report.measure_code(page):
                problems.append(f"{path}: a {block['kind']} block scrolls sideways: {block['first']!r}")
    assert numbered > 40, f"only {numbered} numbered equations found: is the book built?"
    # scrolling (with a visible cue) is allowed; how many do is a figure for the report
    print(f"{numbered} numbered equations, {scrolling} scroll sideways inside their box")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("reader", [("phone", "light")], indirect=True)
def test_an_overflowing_equation_shows_that_it_scrolls(reader):
    page = reader.open("chapters/02_regression.html")
    # whatever the text's equations are, squeeze one until it cannot fit
    block = page.locator("div.math:has(span.eqno)").first
    block.scroll_into_view_if_needed()
    block.evaluate("d => { d.style.maxWidth = '160px'; }")
    wide = block.locator("mjx-container")
    page.wait_for_function("b => b.classList.contains('lossviz-scrollable')", arg=wide.element_handle())
    # at the start only the right edge fades; scrolled to the end, only the left one
    assert wide.get_attribute("data-at-start") == "true"
    assert wide.get_attribute("data-at-end") == "false"
    assert "gradient" in wide.evaluate("b => getComputedStyle(b).maskImage || getComputedStyle(b).webkitMaskImage")
    wide.evaluate("b => { b.scrollLeft = b.scrollWidth; b.dispatchEvent(new Event('scroll')); }")
    page.wait_for_timeout(50)
    assert wide.get_attribute("data-at-end") == "true"
    assert wide.get_attribute("data-at-start") == "false"
    # keyboard readers can reach it to scroll it
    assert wide.get_attribute("tabindex") == "0"


@pytest.mark.parametrize("reader", [("desktop", "light")], indirect=True)
def test_desktop_has_one_search_field_and_no_empty_top_bar(reader):
    page = reader.open("intro.html")
    assert not page.locator("header.bd-header").is_visible(), "the empty top bar is back"
    visible_search = [b for b in page.locator("button.search-button__button").all() if b.is_visible()]
    assert len(visible_search) == 1, f"{len(visible_search)} search buttons on screen"


@pytest.mark.parametrize("reader", [("phone", "light")], indirect=True)
def test_phone_can_still_open_the_menu_and_search(reader):
    page = reader.open("chapters/02_regression.html")
    assert any(b.is_visible() for b in page.locator("button.primary-toggle").all())
    assert any(b.is_visible() for b in page.locator("button.search-button__button").all())


def test_skip_link_moves_focus_into_the_article(reader):
    page = reader.open("chapters/03_classification.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.closest('article') !== null"), \
        page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    # the next Tab lands on a link of the article, not on the buttons above it
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('article') !== null")


def _hover_preview(page, link):
    link.scroll_into_view_if_needed()
    link.hover()
    box = page.locator(".tippy-box").last
    box.wait_for(state="visible", timeout=5000)
    return box


def test_hovering_a_citation_shows_its_bibliography_entry(reader):
    page = reader.open("chapters/04a_imbalance.html")
    citation = page.locator("span.bibtex-citation a").first
    box = _hover_preview(page, citation)
    assert "Focal loss for dense object detection" in box.inner_text()


def test_hovering_an_equation_reference_shows_the_typeset_equation(reader):
    page = reader.open("chapters/02_regression.html")
    reference = page.locator('article a.reference.internal[href^="#equation-"]').first
    box = _hover_preview(page, reference)
    box.locator("mjx-container").first.wait_for(state="attached", timeout=10000)
    assert "\\frac" not in box.inner_text() and "\\[" not in box.inner_text()


@pytest.mark.parametrize("query", list(page_report.SEARCH_QUERIES))
def test_search_ranks_the_loss_section_first(site, reader, query):
    base, _ = site
    links, snippets = page_report.search_results(reader.page, base, query)
    expected = page_report.SEARCH_QUERIES[query]
    assert page_report.rank_of(links, expected) == 1, f"{query!r}: {links[:5]}"
    # a snippet in words: no TeX source, no "Contents" list of the page's sidebar
    for snippet in snippets[:5]:
        assert not re.search(r"\\[A-Za-z]+|\$|\\\(|\\\[", snippet), snippet
        assert "Contents" not in snippet, snippet
