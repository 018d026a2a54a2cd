"""The built book in a real browser (Debian's chromium driven by playwright), offline.

The site is served from 127.0.0.1 and every request to another host is blocked and
recorded, as for a reader without network. Screenshots go to test-artifacts/.
"""

import functools
import hashlib
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright import sync_api as playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium")
# Pages with explorers (sliders) whose figures must respond to the controls.
SLIDER_PAGES = ["chapters/02_regression.html", "chapters/03_classification.html",
                "chapters/04a_imbalance.html", "chapters/04b_segmentation.html",
                "chapters/04c_distributions_and_similarity.html", "chapters/08_custom_losses.html"]

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("chromium is not installed; .ci/run installs Debian's chromium package")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_book):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(built_book)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", built_book
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"])
        yield browser
        browser.close()


class OfflinePage:
    """A page whose requests to any host but 127.0.0.1 are blocked and recorded."""

    def __init__(self, browser, base):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.foreign, self.failed, self.errors = [], [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(r.url))
        self.base = base

    def _route(self, route):
        url = route.request.url
        if url.startswith((self.base, "data:", "blob:")):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def open(self, path):
        self.page.goto(f"{self.base}/{path}")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self):
        self.context.close()


def _digest(page, explorer):
    """A fingerprint of what the explorer draws: the points of its moving curves."""
    points = explorer.locator("polyline.lossviz-moving").evaluate_all(
        "lines => lines.map(l => l.getAttribute('points')).join('|')")
    return hashlib.sha1(points.encode()).hexdigest()


@pytest.mark.parametrize("path", SLIDER_PAGES)
def test_every_slider_changes_its_figure(site, browser, path):
    base, html_root = site
    if not (html_root / path).exists():
        pytest.fail(f"{path} was not built")
    viewer = OfflinePage(browser, base)
    page = viewer.open(path)
    explorers = page.locator("figure.lossviz-explorer")
    assert explorers.count() > 0, f"{path} has no explorer"
    ARTIFACTS.mkdir(exist_ok=True)
    for k in range(explorers.count()):
        explorer = explorers.nth(k)
        ranges = explorer.locator("input[type=range]")
        assert ranges.count() > 0
        for r in range(ranges.count()):
            control = ranges.nth(r)
            name = control.get_attribute("aria-label")
            assert any(word in name for word in ("delta", "δ", "gamma", "γ", "alpha", "α", "margin",
                                                  "smooth", "tau", "τ", "scale")), name
            # keyboard: focus the control and press an arrow key
            before = _digest(page, explorer)
            control.focus()
            at_end = control.input_value() == control.get_attribute("max")
            page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
            assert _digest(page, explorer) != before, f"{name}: arrow key did not change the figure"
            # value change: jump to the other end
            before = _digest(page, explorer)
            control.fill(control.get_attribute("max") if control.input_value() == "0" else "0")
            assert _digest(page, explorer) != before, f"{name}: changing the value did not change the figure"
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=str(ARTIFACTS / f"{Path(path).stem}-explorer-{k}.png"))
    assert not viewer.errors, viewer.errors
    viewer.close()


def test_pages_work_offline(site, browser):
    base, html_root = site
    pages = sorted(p.relative_to(html_root).as_posix() for p in html_root.rglob("*.html")
                   if p.name not in ("search.html", "genindex.html") and "_static" not in p.parts
                   and p.name != "index.html")
    viewer = OfflinePage(browser, base)
    ARTIFACTS.mkdir(exist_ok=True)
    for path in pages:
        page = viewer.open(path)
        text = page.locator("article").inner_text()
        assert "$$" not in text and "\\frac" not in text, f"{path}: raw TeX is visible"
        if page.locator(".math").count():
            page.wait_for_selector("mjx-container", state="attached", timeout=15000)
            unrendered = page.evaluate(
                "Array.from(document.querySelectorAll('.math')).filter(e => !e.querySelector('mjx-container')).length")
            assert unrendered == 0, f"{path}: {unrendered} equations not rendered by MathJax"
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))")
        assert not broken, f"{path}: images that did not load: {broken}"
        page.screenshot(path=str(ARTIFACTS / f"page-{path.replace('/', '-')}.png"))
    assert not viewer.foreign, f"requests to other hosts: {sorted(set(viewer.foreign))}"
    assert not viewer.failed, f"requests that failed: {sorted(set(viewer.failed))}"
    assert not viewer.errors, f"JavaScript errors: {viewer.errors}"
    viewer.close()


def test_search_finds_a_loss(site, browser):
    base, _ = site
    viewer = OfflinePage(browser, base)
    page = viewer.open("search.html?q=Huber")
    page.wait_for_selector("ul.search li", timeout=20000)
    results = page.locator("ul.search li").all_inner_texts()
    assert any("Regression" in r or "Huber" in r for r in results), results
    assert not viewer.foreign
    viewer.close()
