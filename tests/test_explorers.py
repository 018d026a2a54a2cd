"""Explorers: live sliders redraw the figure; the static HTML carries every frame and its controls.

The static form is SVG panels drawn once plus, per slider position, the polyline
points of the moving curves in the panels' pixel coordinates.
"""

import base64
import json
import re
from dataclasses import replace

import numpy as np
import pytest

import lossviz as lv
from lossviz import style
from lossviz.explorers import EXPLORERS, TOLERANCE, Explorer, Panel, Param, huber_explorer, simplify
from lossviz.frames import static_html
from lossviz.widgets import explore

NAMES = sorted(EXPLORERS)


@pytest.fixture(scope="module", params=NAMES)
def explorer(request):
    return EXPLORERS[request.param]()


_PAGES = {}


@pytest.fixture(scope="module")
def page(explorer):
    """The explorer's static HTML, computed once (every frame of every explorer is slow)."""
    if explorer.title not in _PAGES:
        _PAGES[explorer.title] = static_html(explorer)
    return _PAGES[explorer.title]


def test_every_parameter_value_changes_the_picture(explorer):
    for param in explorer.params:
        frames = {str(explorer.points(**{param.name: v})) for v in param.values}
        assert len(frames) == len(param.values), f"{param.name}: some values draw the same curves"


def test_live_figure_changes_with_every_parameter(explorer):
    for param in explorer.params:
        low, high = param.values[0], param.values[-1]
        assert explorer.png(**{param.name: low}) != explorer.png(**{param.name: high})


def test_sliders_are_fine_grained(explorer):
    counts = [len(p.values) for p in explorer.params]
    # 41 positions for one parameter, 21 x 11 for two
    assert counts[0] >= (41 if len(counts) == 1 else 21), counts
    assert all(c >= 11 for c in counts[1:]), counts


def test_render_is_repeatable(explorer):
    values = list(explorer.grid())[-1]
    first = explorer.png(**values)
    explorer.png()  # draw something else in between
    assert explorer.png(**values) == first


def test_moving_curves_are_the_losses_own():
    ex = huber_explorer()
    panels = ex.curves(delta=0.5)
    values, slopes = lv.curve(lv.HuberLoss(0.5), np.linspace(-3, 3, 301))
    np.testing.assert_array_equal(panels[0]["Huber"], values)
    np.testing.assert_array_equal(panels[1]["Huber"], slopes)


def _frames(page):
    return json.loads(re.search(r'class="lossviz-frames">(.*?)</script>', page, re.S).group(1))


def test_static_html_has_labelled_ranges_and_all_frames(explorer, page):
    ranges = re.findall(r'<input type="range"[^>]*>', page)
    assert len(ranges) == len(explorer.params)
    for tag, param in zip(ranges, explorer.params):
        label = re.search(r'aria-label="([^"]*)"', tag).group(1)
        assert param.name in label  # the name, e.g. "delta", beside its symbol
        assert f'max="{len(param.values) - 1}"' in tag
        # tick marks, and the ends of the range written beside the slider
        ticks = re.search(r'list="([^"]+)"', tag).group(1)
        assert re.search(f'<datalist id="{ticks}">(<option value="\\d+"></option>){{3,}}</datalist>', page)
        assert f'<span class="lossviz-min" aria-hidden="true">{param.values[0]:g}</span>' in page
        assert f'<span class="lossviz-max" aria-hidden="true">{param.values[-1]:g}</span>' in page
    data = _frames(page)
    grid = list(explorer.grid())
    assert len(data["frames"]) == len(grid)
    assert len({str(f) for f in data["frames"]}) == len(grid)
    # the SVG shows the default frame: what prints and what shows without JavaScript
    shown = re.findall(r'<polyline class="lossviz-moving" points="([^"]*)"', page)
    assert shown == data["frames"][grid.index(explorer.defaults)]
    assert re.search(r'<div class="lossviz-panels" role="img" aria-label="[^"]{40,}"', page)


def test_static_html_is_light_and_themeable(page):
    assert len(page.encode()) <= 250 * 1024
    assert "data:image" not in page and "<img" not in page  # vector, not base64 frames
    assert "<?xml" not in page and "<style" not in page  # nothing that leaks into the page
    assert style.FOREGROUND.lower() not in page.lower()  # text and axes follow the theme
    assert "currentColor" in page
    assert "#000000" not in page and "#ffffff" not in page.lower()


def test_ids_are_unique_and_every_reference_resolves():
    # the frames do not matter here: a one-position grid per parameter is enough
    page = ""
    for make in EXPLORERS.values():
        explorer = make()
        explorer.params = [replace(p, values=(p.default,)) for p in explorer.params]
        page += static_html(explorer)
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for ref in set(re.findall(r'(?:url\(#|href="#)([^)"]+)', page)):
        assert ref in ids, ref


def _svg_vertices(svg, stroke):
    """Vertices of matplotlib's own path drawn in ``stroke`` colour, in SVG units."""
    d = re.search(f'<path d="([^"]*)"[^>]*stroke: {stroke}', svg).group(1)
    return np.array(re.findall(r"([-\d.]+) ([-\d.]+)", d), dtype=float)


def _distance_to_polyline(points, polyline):
    a, b = polyline[:-1], polyline[1:]
    seg = b - a
    rel = points[:, None, :] - a[None]
    t = np.clip((rel * seg).sum(-1) / np.maximum((seg * seg).sum(-1), 1e-12), 0, 1)
    return np.hypot(*(rel - t[..., None] * seg).transpose(2, 0, 1)).min(axis=1)


def test_points_land_where_matplotlib_draws_the_same_curve():
    # the moving curve equals the reference curve at the default: same place on screen
    x = np.linspace(-3, 3, 301)
    wave = np.sin(2 * x) + 0.3 * x ** 2
    ex = Explorer("test", [Param("k", "k", (1.0, 2.0), 1.0)],
                  [Panel(x, "", "x", "y", (-1.5, 4.0))],
                  lambda k: [{"moving": k * wave}], references=[{"reference": wave}])
    svg = ex.panel_svgs()[0]
    reference = _svg_vertices(svg, "#e69f00")  # the second style: the reference curve
    [[points]] = ex.points(k=1.0)
    ours = np.array([p.split(",") for p in points.split()], dtype=float)
    assert len(ours) < len(x) / 3  # simplified
    assert _distance_to_polyline(reference, ours).max() <= TOLERANCE + 0.1


def test_simplify_keeps_the_curve_within_tolerance_and_drops_collinear_points():
    rng = np.random.default_rng(0)
    x = np.linspace(0, 300, 601)
    xy = np.column_stack([x, 100 + 40 * np.sin(x / 23) + rng.normal(0, 0.05, x.size)])
    kept = simplify(xy, 0.25)
    assert len(kept) < len(xy) / 4
    assert _distance_to_polyline(xy, kept).max() <= 0.25
    line = np.column_stack([x, 2 * x + 1])
    assert len(simplify(line, 0.25)) == 2


def test_same_style_for_static_figures():
    import matplotlib as mpl
    import lossviz.plotting  # noqa: F401  (applies the style)

    assert mpl.rcParams["svg.fonttype"] == "none"
    assert min(mpl.rcParams[k] for k in ("font.size", "xtick.labelsize", "ytick.labelsize",
                                          "legend.fontsize", "axes.labelsize")) >= 11


def test_inline_figures_are_svg_without_a_date():
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure

    shell = InteractiveShell.instance()
    try:
        style.use()
        svg_formatter = shell.display_formatter.formatters["image/svg+xml"]
        fig = Figure()
        fig.subplots().plot([0, 1], [0, 1])
        first = svg_formatter(fig)
        assert first.lstrip().startswith("<?xml") and "<dc:date>" not in first
        assert svg_formatter(fig) == first  # re-running a notebook leaves its output unchanged
    finally:
        InteractiveShell.clear_instance()


def test_static_html_is_deterministic():
    assert static_html(huber_explorer()) == static_html(huber_explorer())


def test_widget_slider_redraws_the_image():
    view = explore(huber_explorer())
    before = view.image.value
    view.sliders[0].value = 2.5
    assert view.image.value != before
    assert view.image.value == view.explorer.png(delta=2.5)


def test_widget_display_bundle_carries_widget_and_static_html():
    bundle = explore(huber_explorer())._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<figure class="lossviz-explorer"')
    assert bundle["text/plain"] == "Huber loss: move δ (delta) (δ (delta) = 1)"
    # the default frame, for the PDF (the HTML book shows text/html, the higher priority)
    assert base64.b64decode(bundle["image/png"]) == huber_explorer().png(quantize=True)


def test_param_default_must_be_on_the_grid():
    with pytest.raises(ValueError, match="default delta=0.3"):
        Param("delta", "δ (delta)", (0.5, 1.0), 0.3)
