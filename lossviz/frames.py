"""The kernel-free form of an explorer: pre-rendered frames and native range inputs.

:func:`static_html` renders the explorer once for every point of its parameter grid
and returns an HTML fragment: one ``<input type="range">`` per parameter (labelled,
keyboard-operable), the default frame as an ordinary ``<img>`` (what prints and what
shows without JavaScript), the other frames as data URIs, and a few lines of
JavaScript that show the frame for the chosen values. It needs no kernel, no widget
library and no network.
"""

import base64
import html
import json

# Shows the frame for the current slider positions. Frames are stored first parameter
# slowest, so the frame index is a mixed-radix number of the slider positions.
_SCRIPT = """<script>
(function (root) {
  var data = JSON.parse(root.querySelector("script.lossviz-frames").textContent);
  var inputs = root.querySelectorAll("input[type=range]");
  var img = root.querySelector("img");
  function show() {
    var index = 0, shown = [];
    inputs.forEach(function (input, k) {
      var i = Number(input.value), value = data.values[k][i];
      index = index * data.values[k].length + i;
      shown.push(data.labels[k] + " = " + value);
      input.setAttribute("aria-valuetext", data.labels[k] + " = " + value);
      input.parentNode.querySelector("output").textContent = value;
    });
    img.src = data.frames[index];
    img.alt = data.alt + " Shown for " + shown.join(", ") + ".";
  }
  inputs.forEach(function (input) { input.addEventListener("input", show); });
})(document.currentScript.previousElementSibling);
</script>"""


def _data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _format(value):
    return f"{value:g}"


def static_html(explorer):
    """Return the explorer as a self-contained HTML fragment (a ``<figure>`` and a script)."""
    grid = list(explorer.grid())
    frames = [_data_uri(explorer.png(quantize=True, **values)) for values in grid]
    defaults = explorer.defaults
    controls = []
    for p in explorer.params:
        position = p.values.index(p.default)
        controls.append(
            f'<label class="lossviz-control">{html.escape(p.label)} '
            f'<input type="range" min="0" max="{len(p.values) - 1}" step="1" '
            f'value="{position}" aria-label="{html.escape(p.label)}" '
            f'aria-valuetext="{html.escape(p.label)} = {_format(p.default)}" '
            f'data-param="{p.name}"> <output>{_format(p.default)}</output></label>'
        )
    data = {
        "labels": [p.label for p in explorer.params],
        "values": [[_format(v) for v in p.values] for p in explorer.params],
        "frames": frames,
        "alt": explorer.alt,
    }
    alt = f"{explorer.alt} Shown for {explorer.describe(defaults)}."
    # "<" escaped so that no value can close the script element early
    payload = json.dumps(data).replace("<", "\\u003c")
    return (
        f'<figure class="lossviz-explorer" aria-label="{html.escape(explorer.title)}">'
        f'<div class="lossviz-controls">{"".join(controls)}</div>'
        f'<img src="{frames[grid.index(defaults)]}" alt="{html.escape(alt)}">'
        f'<figcaption>{html.escape(explorer.title)}</figcaption>'
        f'<script type="application/json" class="lossviz-frames">{payload}</script>'
        f"</figure>\n{_SCRIPT}"
    )
