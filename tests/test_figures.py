"""Figures and explorers in the built book, on a desktop and a phone, light and dark.

A reader's view in Debian's chromium (playwright), offline like tests/test_browser.py:
no page scrolls sideways; every figure is vector (SVG) or a raster with at least two
device pixels per CSS pixel; figure text is at least 11 CSS px on a desktop and 9 on a
phone; explorer text follows the theme and sits on no background of its own; every
slider, moved to several positions, changes its curves. Screenshots of each explorer
(both widths, both themes) go to test-artifacts/ for a person to look at.

Set FIGURES_HTML to an already built _build/html to skip the build.
"""

import functools
import hashlib
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright import sync_api as playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium")
SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
MIN_TEXT_PX = {"desktop": 11.0, "phone": 9.0}

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("chromium is not installed; .ci/run installs Debian's chromium package")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def html_root(request):
    given = os.environ.get("FIGURES_HTML")
    return Path(given) if given else request.getfixturevalue("built_book")


@pytest.fixture(scope="module")
def site(html_root):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(html_root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
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


def _pages(html_root):
    return sorted(p.relative_to(html_root).as_posix() for p in html_root.glob("chapters/*.html"))


def _open(browser, site, path, screen, theme):
    context = browser.new_context(viewport=SCREENS[screen])
    # the theme's own switch stores the choice here and applies it before painting
    context.add_init_script(f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');")
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site)
                  else route.abort())
    page = context.new_page()
    page.goto(f"{site}/{path}")
    page.wait_for_load_state("networkidle", timeout=90000)
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    return context, page


# Rendered size of the smallest text in each explorer panel: the font size in SVG
# units times the panel's on-screen scale.
_EXPLORER_TEXT = """() => Array.from(document.querySelectorAll('svg.lossviz-panel')).map(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = Array.from(svg.querySelectorAll('text')).map(t => parseFloat(getComputedStyle(t).fontSize));
  return Math.min(...sizes) * scale;
})"""

# For each static figure: source, natural and shown width, and whether it is SVG.
_IMAGES = """() => Array.from(document.querySelectorAll('article img')).filter(i => i.clientWidth > 50)
  .map(i => ({src: i.currentSrc, natural: i.naturalWidth, shown: i.getBoundingClientRect().width,
              svg: /\\.svg($|\\?)|^data:image\\/svg/.test(i.currentSrc)}))"""


def _smallest_svg_font(svg_text):
    """(smallest font size, viewBox width) of a matplotlib SVG, both in its own units."""
    sizes = [float(s) for s in re.findall(r"font-size: ?([\d.]+)px", svg_text)]
    sizes += [float(s) for s in re.findall(r"font: ?(?:[a-z]+ )*([\d.]+)px", svg_text)]
    width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg_text).group(1))
    return (min(sizes) if sizes else None), width


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_pages_fit_and_figures_are_sharp_and_legible(html_root, site, browser, screen, theme):
    problems = []
    for path in _pages(html_root):
        context, page = _open(browser, site, path, screen, theme)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            problems.append(f"{path}: the page scrolls sideways by {overflow} px")
        for size in page.evaluate(_EXPLORER_TEXT):
            if size < MIN_TEXT_PX[screen] - 0.05:
                problems.append(f"{path}: explorer text {size:.1f} CSS px")
        for image in page.evaluate(_IMAGES):
            if not image["svg"]:
                ratio = image["natural"] / image["shown"]
                if ratio < 2.0:
                    problems.append(f"{path}: raster {image['src'][-40:]} at {ratio:.2f} px per CSS px")
                continue
            font, width = _smallest_svg_font(page.request.get(image["src"]).text())
            if font is not None:
                shown = font * image["shown"] / width
                if shown < MIN_TEXT_PX[screen] - 0.05:
                    problems.append(f"{path}: text of {image['src'][-40:]} shown at {shown:.1f} CSS px")
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_explorers_follow_the_theme(html_root, site, browser, theme):
    for path in _pages(html_root):
        context, page = _open(browser, site, path, "desktop", theme)
        looks = page.evaluate("""() => Array.from(document.querySelectorAll('figure.lossviz-explorer')).map(f => {
          const rgb = getComputedStyle(f.querySelector('svg.lossviz-panel text')).fill.match(/[\\d.]+/g).map(Number);
          const luminance = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
          // the figure, its panels, and every box around it up to the article
          const boxes = [f.querySelector('svg'), f.querySelector('.lossviz-panels')];
          for (let e = f; e && e.tagName !== 'ARTICLE'; e = e.parentElement) boxes.push(e);
          const backgrounds = boxes.map(e => getComputedStyle(e).backgroundColor);
          return {luminance, backgrounds, border: getComputedStyle(f).borderTopWidth};
        })""")
        for look in looks:
            if theme == "dark":
                assert look["luminance"] > 0.6, f"{path}: dark text on a dark page"
            else:
                assert look["luminance"] < 0.4, f"{path}: light text on a light page"
            assert all(b in ("rgba(0, 0, 0, 0)", "transparent") for b in look["backgrounds"]), (path, look)
            assert look["border"] == "0px", (path, look)
        context.close()


def _curves(explorer):
    points = explorer.locator("polyline.lossviz-moving").evaluate_all(
        "lines => lines.map(l => l.getAttribute('points')).join('|')")
    return hashlib.sha1(points.encode()).hexdigest()


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_slider_position_changes_the_curves(html_root, site, browser, screen, theme):
    ARTIFACTS.mkdir(exist_ok=True)
    seen = 0
    for path in _pages(html_root):
        context, page = _open(browser, site, path, screen, theme)
        explorers = page.locator("figure.lossviz-explorer")
        for k in range(explorers.count()):
            explorer = explorers.nth(k)
            seen += 1
            for r, control in enumerate(explorer.locator("input[type=range]").all()):
                top = int(control.get_attribute("max"))
                assert top >= 10, "a coarse slider"
                box = control.bounding_box()
                # full width on a phone, and tall enough for a finger
                if screen == "phone":
                    assert box["width"] >= 200 and box["height"] >= 32, box
                shown = set()
                for position in (0, top // 3, top // 2, top):
                    control.fill(str(position))
                    shown.add(_curves(explorer))
                    readout = explorer.locator("output").nth(r).inner_text()
                    assert readout, "the value readout is empty"
                assert len(shown) == 4, f"{path}: {control.get_attribute('aria-label')} did not change the curves"
                # back to the default, then a key press moves it by one position
                before = _curves(explorer)
                control.focus()
                page.keyboard.press("ArrowLeft" if control.input_value() == str(top) else "ArrowRight")
                assert _curves(explorer) != before
            explorer.scroll_into_view_if_needed()
            explorer.screenshot(path=str(ARTIFACTS / f"{Path(path).stem}-explorer-{k}-{screen}-{theme}.png"))
        context.close()
    assert seen >= 10, f"only {seen} explorers found"
