"""Explorers: live sliders redraw the figure; the static HTML carries every frame and its controls."""

import json
import re

import numpy as np
import pytest

import lossviz as lv
from lossviz.explorers import EXPLORERS, Param, huber_explorer
from lossviz.frames import static_html
from lossviz.widgets import explore

NAMES = sorted(EXPLORERS)


@pytest.fixture(scope="module", params=NAMES)
def explorer(request):
    return EXPLORERS[request.param]()


def test_every_parameter_value_changes_the_picture(explorer):
    for param in explorer.params:
        images = {explorer.png(**{param.name: v}) for v in param.values}
        assert len(images) == len(param.values), f"{param.name}: some values draw the same figure"


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


def test_static_html_has_labelled_ranges_and_all_frames(explorer):
    page = static_html(explorer)
    ranges = re.findall(r'<input type="range"[^>]*>', page)
    assert len(ranges) == len(explorer.params)
    for tag, param in zip(ranges, explorer.params):
        label = re.search(r'aria-label="([^"]*)"', tag).group(1)
        assert param.name in label  # the name, e.g. "delta", beside its symbol
        assert f'max="{len(param.values) - 1}"' in tag
    data = json.loads(re.search(r'class="lossviz-frames">(.*?)</script>', page, re.S).group(1))
    assert len(data["frames"]) == int(np.prod([len(p.values) for p in explorer.params]))
    assert len(set(data["frames"])) == len(data["frames"])
    default_src = re.search(r'<img src="([^"]*)"', page).group(1)
    grid = list(explorer.grid())
    assert data["frames"].index(default_src) == grid.index(explorer.defaults)
    assert re.search(r'<img [^>]*alt="[^"]{40,}"', page)


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


def test_param_default_must_be_on_the_grid():
    with pytest.raises(ValueError, match="default delta=0.3"):
        Param("delta", "δ (delta)", (0.5, 1.0), 0.3)
