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
THEMES = ["light", "dark"]

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
              filter: getComputedStyle(i).filter,
              svg: /\\.svg($|\\?)|^data:image\\/svg/.test(i.currentSrc)}))"""


_FONT_SIZE = re.compile(r"font-size: ?([\d.]+)px|font: ?(?:[a-z]+ )*([\d.]+)px")


def _smallest_svg_font(svg_text):
    """(smallest text size, viewBox width) of a matplotlib SVG, both in its own units.

    A text's size is the size of its body: the largest size inside its ``<text>``
    element. Sub- and superscripts that matplotlib's mathtext sets at 70 % of that size
    (the ``j`` of ``y_j``) follow the body, as they do in print.
    """
    sizes = []
    for element in re.findall(r"<text\b.*?</text>", svg_text, flags=re.S):
        inside = [float(a or b) for a, b in _FONT_SIZE.findall(element)]
        if inside:
            sizes.append(max(inside))
    width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg_text).group(1))
    return (min(sizes) if sizes else None), width


_THEME_LOOKS = """() => Array.from(document.querySelectorAll('figure.lossviz-explorer')).map(f => {
  const rgb = getComputedStyle(f.querySelector('svg.lossviz-panel text')).fill.match(/[\\d.]+/g).map(Number);
  const luminance = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
  // the figure, its panels, and every box around it up to the article
  const boxes = [f.querySelector('svg'), f.querySelector('.lossviz-panels')];
  for (let e = f; e && e.tagName !== 'ARTICLE'; e = e.parentElement) boxes.push(e);
  const backgrounds = boxes.map(e => getComputedStyle(e).backgroundColor);
  return {luminance, backgrounds, border: getComputedStyle(f).borderTopWidth};
})"""


def _curves(explorer):
    points = explorer.locator("polyline.lossviz-moving").evaluate_all(
        "lines => lines.map(l => l.getAttribute('points')).join('|')")
    return hashlib.sha1(points.encode()).hexdigest()


def _try_sliders(page, explorer):
    """Move each slider of an explorer to several positions; what changed, per slider."""
    results = []
    for r, control in enumerate(explorer.locator("input[type=range]").all()):
        top = int(control.get_attribute("max"))
        shown, readouts = set(), set()
        for position in (0, top // 3, top // 2, top):
            control.fill(str(position))
            shown.add(_curves(explorer))
            readouts.add(explorer.locator("output").nth(r).inner_text())
        # then a key press moves it by one position
        before = _curves(explorer)
        control.focus()
        page.keyboard.press("ArrowLeft" if control.input_value() == str(top) else "ArrowRight")
        results.append({"label": control.get_attribute("aria-label"), "top": top,
                        "box": control.bounding_box(), "curves": len(shown),
                        "readouts": readouts, "key_moves": _curves(explorer) != before})
    return results


def _view(page, path, screen, theme):
    """Everything the tests check on one page, measured from one load of it."""
    view = {
        "overflow": page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"),
        "explorer_text": page.evaluate(_EXPLORER_TEXT),
        "looks": page.evaluate(_THEME_LOOKS),
        "images": [],
        "sliders": [],
    }
    for image in page.evaluate(_IMAGES):
        if image["svg"]:
            svg = page.request.get(image["src"]).text()
            font, width = _smallest_svg_font(svg)
            image["text_px"] = None if font is None else font * image["shown"] / width
            # a figure that shows an image (a mask, a weight map) has <image> inside
            image["shows_image"] = "<image" in svg
        view["images"].append(image)
    explorers = page.locator("figure.lossviz-explorer")
    for k in range(explorers.count()):
        explorer = explorers.nth(k)
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=str(ARTIFACTS / f"{Path(path).stem}-explorer-{k}-{screen}-{theme}.png"))
        # the sliders behave the same in either theme: moved in the light one
        if theme == "light":
            view["sliders"].append(_try_sliders(page, explorer))
    return view


@pytest.fixture(scope="module")
def views(html_root, site, browser):
    """(screen, theme, page) -> what a reader sees there. Each page is loaded once per
    screen and theme; explorer screenshots (at their default positions) go to
    test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    seen = {}
    for screen in SCREENS:
        for theme in THEMES:
            for path in _pages(html_root):
                context, page = _open(browser, site, path, screen, theme)
                seen[screen, theme, path] = _view(page, path, screen, theme)
                context.close()
    return seen


def _each(views, screen, theme):
    return [(path, view) for (s, t, path), view in views.items() if (s, t) == (screen, theme)]


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("theme", THEMES)
def test_pages_fit_and_figures_are_sharp_and_legible(views, screen, theme):
    problems = []
    for path, view in _each(views, screen, theme):
        if view["overflow"] > 0:
            problems.append(f"{path}: the page scrolls sideways by {view['overflow']} px")
        for size in view["explorer_text"]:
            if size < MIN_TEXT_PX[screen] - 0.05:
                problems.append(f"{path}: explorer text {size:.1f} CSS px")
        for image in view["images"]:
            if not image["svg"]:
                ratio = image["natural"] / image["shown"]
                if ratio < 2.0:
                    problems.append(f"{path}: raster {image['src'][-40:]} at {ratio:.2f} px per CSS px")
            elif image["text_px"] is not None and image["text_px"] < MIN_TEXT_PX[screen] - 0.05:
                problems.append(f"{path}: text of {image['src'][-40:]} shown at {image['text_px']:.1f} CSS px")
            # dark mode inverts line plots; an inverted mask would show its object black
            if image.get("shows_image") and image["filter"] != "none":
                problems.append(f"{path}: {image['src'][-40:]} shows an image, drawn with {image['filter']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("theme", THEMES)
def test_explorers_follow_the_theme(views, screen, theme):
    for path, view in _each(views, screen, theme):
        for look in view["looks"]:
            if theme == "dark":
                assert look["luminance"] > 0.6, f"{path}: dark text on a dark page"
            else:
                assert look["luminance"] < 0.4, f"{path}: light text on a light page"
            assert all(b in ("rgba(0, 0, 0, 0)", "transparent") for b in look["backgrounds"]), (path, look)
            assert look["border"] == "0px", (path, look)


@pytest.mark.parametrize("screen", SCREENS)
def test_every_slider_position_changes_the_curves(views, screen):
    explorers = 0
    for path, view in _each(views, screen, "light"):
        for sliders in view["sliders"]:
            explorers += 1
            for slider in sliders:
                name = f"{path}: {slider['label']}"
                assert slider["top"] >= 10, f"{name}: a coarse slider"
                assert slider["curves"] == 4, f"{name}: 4 positions gave {slider['curves']} figures"
                assert "" not in slider["readouts"], f"{name}: the value readout is empty"
                assert slider["key_moves"], f"{name}: an arrow key did not move it"
                # full width on a phone, and tall enough for a finger
                if screen == "phone":
                    box = slider["box"]
                    assert box["width"] >= 200 and box["height"] >= 32, (name, box)
    assert explorers >= 10, f"only {explorers} explorers found"
