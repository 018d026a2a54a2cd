"""What a reader sees on the built site: equations, code blocks, accessibility, search.

Run: python scripts/page_report.py _build/html            (all measurements)
     python scripts/page_report.py _build/html --only equations code
Prints per-page counts and a total line for each measurement:

- equations: every numbered display equation at 1366 and 390 px: how many are wider
  than their box and scroll (with a visible cue), how many are cut off with no way to
  see the rest ("clipped"), and how many have their number drawn over the formula;
- code: code and output blocks that scroll sideways at 1366 px;
- axe: critical and serious axe-core violations per page, light and dark mode
  (AXE_OPTIONS, AXE_FAILING: what the accessibility tests fail on);
- search: the rank of the expected section for each query of SEARCH_QUERIES.

tests/test_pages.py and tests/test_a11y.py import the measurements from here, so the
report and the tests measure the same thing. The site is served from 127.0.0.1 and
every request to another host is blocked, as for a reader without network.
"""

import argparse
import contextlib
import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
# query -> the section a reader looking for it wants, as "page.html#anchor"
SEARCH_QUERIES = {
    "focal loss": "chapters/04a_imbalance.html#focal-loss",
    "huber": "chapters/02_regression.html#huber-loss",
    "dice": "chapters/04b_segmentation.html#dice-loss",
    "triplet": "chapters/04c_distributions_and_similarity.html#triplet-loss",
    "log-sum-exp": "chapters/07_numerical_stability.html#softmax-and-log-sum-exp",
    "label smoothing": "chapters/03_classification.html#soft-labels-and-label-smoothing",
}

# For each numbered display equation: is it wider than its box, does that box scroll
# with a visible cue (class lossviz-scrollable and a fading edge, see lossviz-pages.js),
# is part of it cut off with no way to scroll to it, does the number overlap it?
EQUATIONS_JS = """
() => Array.from(document.querySelectorAll('div.math')).filter(d => d.querySelector('.eqno')).map(d => {
  const box = d.querySelector('mjx-container');
  const math = box && box.querySelector('mjx-math');
  const eqno = d.querySelector('.eqno');
  if (!math) return {id: d.id, rendered: false};
  const style = getComputedStyle(box);
  const wider = box.scrollWidth > box.clientWidth + 1;
  const scrolls = wider && ['auto', 'scroll'].includes(style.overflowX);
  const cue = scrolls && box.classList.contains('lossviz-scrollable')
              && (style.maskImage || style.webkitMaskImage || 'none') !== 'none';
  // the box itself must fit in the equation's block, and the block in the page column
  const b = box.getBoundingClientRect(), e = d.getBoundingClientRect();
  const column = (d.closest('article') || document.body).getBoundingClientRect();
  const boxCut = b.right > e.right + 1 || b.left < e.left - 1
                 || e.right > column.right + 1 || e.left < column.left - 1;
  const clipped = boxCut || (wider && !cue);
  // the visible part of the formula: its glyph box intersected with the scroll box
  const m = math.getBoundingClientRect(), n = eqno.getBoundingClientRect();
  const left = Math.max(m.left, b.left), right = Math.min(m.right, b.right);
  const overlapX = Math.min(right, n.right) - Math.max(left, n.left);
  const overlapY = Math.min(m.bottom, n.bottom) - Math.max(m.top, n.top);
  const overlaps = n.width > 0 && overlapX > 1 && overlapY > 1;
  return {id: d.id, rendered: true, wider, scrolls, cue, clipped, overlaps};
})
"""

# Code cells and outputs (and literal blocks) that scroll sideways; folded ones are not
# on screen and are left out.
CODE_JS = """
() => Array.from(document.querySelectorAll('article pre')).filter(p => p.offsetParent !== null)
  .filter(p => p.scrollWidth > p.clientWidth + 1)
  .map(p => ({kind: p.closest('.cell_output') ? 'output' : 'code',
              first: (p.textContent.split('\\n').find(l => l.length > 0) || '').slice(0, 60)}))
"""

PAGE_WIDER_JS = "() => document.documentElement.scrollWidth - window.innerWidth"


@contextlib.contextmanager
def serve(html_root):
    """Serve the built site on 127.0.0.1; yield its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(html_root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def launch(playwright):
    """Debian's chromium (never a downloaded browser)."""
    return playwright.chromium.launch(
        executable_path=shutil.which("chromium"),
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--no-first-run"])


def book_pages(html_root):
    """Every page of the book (not the search page, the index or the redirect)."""
    root = Path(html_root)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                  if "_static" not in p.parts and "_sources" not in p.parts
                  and p.name not in ("search.html", "genindex.html", "index.html"))


class Reader:
    """One browser context: a viewport, a colour mode, and no network but the site."""

    def __init__(self, browser, base, width="desktop", theme="light"):
        w, h = WIDTHS[width]
        self.context = browser.new_context(viewport={"width": w, "height": h}, color_scheme=theme)
        # the theme's colour-mode switch remembers its choice in localStorage
        self.context.add_init_script(f"localStorage.setItem('theme', '{theme}');")
        self.foreign, self.errors = [], []
        self.base = base
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route):
        url = route.request.url
        if url.startswith((self.base, "data:", "blob:")):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def open(self, path):
        self.page.goto(f"{self.base}/{path}", wait_until="load")
        # equations are typeset after load; wait until MathJax says it is done
        self.page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        self.page.wait_for_timeout(100)
        return self.page

    def close(self):
        self.context.close()


def measure_equations(page):
    return page.evaluate(EQUATIONS_JS)


def measure_code(page):
    return page.evaluate(CODE_JS)


# axe-core's default rules plus label-content-name-mismatch (WCAG 2.5.3 "label in
# name", still marked experimental in axe-core 4.12, so off by default).
AXE_OPTIONS = {"resultTypes": ["violations"],
               "rules": {"label-content-name-mismatch": {"enabled": True}}}
# Counted as failures: what axe rates critical or serious, and content outside any
# landmark (rated moderate, but a screen-reader user cannot reach it by landmark).
AXE_FAILING = ("critical", "serious")
AXE_ALSO_FAILING_RULES = ("region",)


def axe_violations(page, axe):
    """Failing axe-core violations: [(rule id, impact, number of nodes)]."""
    results = axe.run(page, options=AXE_OPTIONS)
    return [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"]
            if v["impact"] in AXE_FAILING or v["id"] in AXE_ALSO_FAILING_RULES]


def search_results(page, base, query):
    """The result links of the site's search page for query, best first."""
    page.goto(f"{base}/search.html")
    page.fill(".bd-search-container input[name=q]", query)
    page.press(".bd-search-container input[name=q]", "Enter")
    page.wait_for_selector("#search-results p.search-summary:not(:empty)", timeout=20000)
    # each result fetches its page for the snippet; wait until every snippet is there
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('ul.search li')).every(li => li.querySelector('p.context'))",
        timeout=20000)
    links = page.eval_on_selector_all(
        "ul.search li > a", "links => links.map(a => a.getAttribute('href'))")
    snippets = page.eval_on_selector_all(
        "ul.search li", "items => items.map(li => li.innerText)")
    return links, snippets


def rank_of(links, expected):
    """1-based rank of the expected page#anchor among result links (None if absent)."""
    for rank, href in enumerate(links, 1):
        if href.split("?")[0].lstrip("./").replace(".html#", ".html#") == expected:
            return rank
    return None


def report(html_root, only):
    from playwright.sync_api import sync_playwright

    pages = book_pages(html_root)
    with serve(html_root) as base, sync_playwright() as p:
        browser = launch(p)
        if "equations" in only:
            for width in WIDTHS:
                reader = Reader(browser, base, width)
                totals = dict(numbered=0, scrolling=0, clipped=0, overlapping=0, page_wider=0)
                for path in pages:
                    page = reader.open(path)
                    eqs = measure_equations(page)
                    row = dict(numbered=len(eqs), scrolling=sum(e.get("scrolls", 0) for e in eqs),
                               clipped=sum(e.get("clipped", 0) for e in eqs),
                               overlapping=sum(e.get("overlaps", 0) for e in eqs),
                               page_wider=int(page.evaluate(PAGE_WIDER_JS) > 0))
                    for k in totals:
                        totals[k] += row[k]
                    if row["numbered"] or row["page_wider"]:
                        print(f"equations {width:7} {path:48} {row}")
                print(f"EQUATIONS {width} {WIDTHS[width][0]}px TOTAL {totals}")
                reader.close()
        if "code" in only:
            reader = Reader(browser, base, "desktop")
            total = 0
            for path in pages:
                blocks = measure_code(reader.open(path))
                total += len(blocks)
                if blocks:
                    print(f"code    1366px  {path:48} {len(blocks)} scroll sideways: "
                          f"{sum(b['kind'] == 'code' for b in blocks)} code, "
                          f"{sum(b['kind'] == 'output' for b in blocks)} output")
            print(f"CODE 1366px TOTAL {total} blocks scroll sideways")
            reader.close()
        if "axe" in only:
            from axe_playwright_python.sync_playwright import Axe

            axe = Axe()
            for theme in ("light", "dark"):
                reader = Reader(browser, base, "desktop", theme)
                crit = seri = 0
                for path in pages:
                    found = axe_violations(reader.open(path), axe)
                    c = sum(n for _, impact, n in found if impact == "critical")
                    s = sum(n for _, impact, n in found if impact != "critical")
                    crit, seri = crit + c, seri + s
                    print(f"axe {theme:5} {path:48} critical {c} serious {s} {found}")
                print(f"AXE {theme} TOTAL critical {crit} serious {seri} (nodes; 'serious' includes region)")
                reader.close()
        if "search" in only:
            reader = Reader(browser, base)
            for query, expected in SEARCH_QUERIES.items():
                links, snippets = search_results(reader.page, base, query)
                print(f"SEARCH {query!r:18} rank {rank_of(links, expected)} of {len(links)}; "
                      f"top 3 {links[:3]}")
                print(f"       first snippet: {snippets[0][:200]!r}" if snippets else "")
            reader.close()
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("html", help="the built site, e.g. _build/html")
    parser.add_argument("--only", nargs="+", default=["equations", "code", "axe", "search"],
                        choices=["equations", "code", "axe", "search"])
    args = parser.parse_args()
    if not Path(args.html, "intro.html").exists():
        sys.exit(f"{args.html} is not a built book (no intro.html)")
    report(args.html, args.only)
