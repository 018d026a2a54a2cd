"""The live form of an explorer: ipywidgets sliders driving the figure in a kernel.

``explore(explorer)`` returns an object that Jupyter displays as sliders above the
figure (JupyterLab, Notebook 7, VS Code, Colab, Binder). Each slider move recomputes
and redraws only the moving curves (see :class:`lossviz.explorers.Explorer`), in the
book's figure style, into an image widget: continuously, for any value in the range,
not only the grid the static book precomputes.
The same display output also carries the static HTML version from
:func:`lossviz.frames.static_html`, which the HTML book shows instead (its
``nb_mime_priority_overrides`` drop the widget view), because a published page has
no kernel to run the callbacks.
"""

import base64
import math

import ipywidgets as widgets

from .frames import static_html


def _slider(param):
    common = dict(description=param.label, value=param.default, continuous_update=True,
                  style={"description_width": "initial"},
                  layout=widgets.Layout(width="100%", max_width="28rem"))
    low, high = min(param.values), max(param.values)
    if param.log:
        return widgets.FloatLogSlider(min=math.log10(low), max=math.log10(high), step=0.1,
                                      readout_format=".2g", **common)
    return widgets.FloatSlider(min=low, max=high, step=param.step, readout_format=".2f", **common)


class ExplorerView:
    """Sliders plus figure for one explorer; displays as a widget or as static HTML."""

    def __init__(self, explorer):
        self.explorer = explorer
        self.sliders = [_slider(p) for p in explorer.params]
        self.image = widgets.Image(value=explorer.png(), format="png",
                                   layout=widgets.Layout(max_width="100%", height="auto"))
        for slider in self.sliders:
            slider.observe(self._update, names="value")
        controls = widgets.HBox(self.sliders, layout=widgets.Layout(flex_flow="row wrap"))
        self.widget = widgets.VBox([controls, self.image])

    def values(self):
        return {p.name: s.value for p, s in zip(self.explorer.params, self.sliders)}

    def _update(self, _change=None):
        self.image.value = self.explorer.png(**self.values())

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/html"] = static_html(self.explorer)
        # the default frame for readers that cannot show HTML: vector for the book's PDF,
        # an image for the rest
        frame = self.explorer.pdf(**self.explorer.defaults)
        bundle["application/pdf"] = base64.b64encode(frame).decode("ascii")
        frame = self.explorer.png(quantize=True, **self.explorer.defaults)
        bundle["image/png"] = base64.b64encode(frame).decode("ascii")
        bundle["text/plain"] = f"{self.explorer.title} ({self.explorer.describe(self.values())})"
        return bundle


def explore(explorer):
    """Display ``explorer`` with live sliders (and its static HTML for the book)."""
    return ExplorerView(explorer)
