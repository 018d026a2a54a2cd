"""The kernel-free form of an explorer: SVG panels, range inputs, precomputed curves.

:func:`static_html` returns an HTML fragment that needs no kernel, no widget library
and no network: one labelled ``<input type="range">`` per parameter (keyboard and
touch operable, with tick marks and its minimum and maximum written beside it), the
panels as inline SVG drawn once by matplotlib at the default values (what prints and
what shows without JavaScript), and, for every point of the parameter grid, the
``points`` of the moving curves, computed by lossviz in the panels' pixel coordinates.
A few lines of JavaScript swap those ``points`` when a slider moves: the page does no
mathematics.
"""

import hashlib
import html
import json

# Shows the curves for the current slider positions. Frames are stored first parameter
# slowest, so the frame index is a mixed-radix number of the slider positions.
_SCRIPT = """<script>
(function (root) {
  var data = JSON.parse(root.querySelector("script.lossviz-frames").textContent);
  var inputs = root.querySelectorAll("input[type=range]");
  var lines = root.querySelectorAll("polyline.lossviz-moving");
  var panels = root.querySelector(".lossviz-panels");
  function show() {
    var index = 0, shown = [];
    inputs.forEach(function (input, k) {
      var i = Number(input.value), value = data.values[k][i];
      index = index * data.values[k].length + i;
      shown.push(data.labels[k] + " = " + value);
      input.setAttribute("aria-valuetext", data.labels[k] + " = " + value);
      root.querySelectorAll("output")[k].textContent = value;
    });
    data.frames[index].forEach(function (points, k) { lines[k].setAttribute("points", points); });
    panels.setAttribute("aria-label", data.alt + " Shown for " + shown.join(", ") + ".");
  }
  inputs.forEach(function (input) { input.addEventListener("input", show); });
})(document.currentScript.previousElementSibling);
</script>"""


def _format(value):
    return f"{value:g}"


def _ticks(count, default):
    """Positions that get a tick mark: both ends, about every quarter, and the default."""
    step = max(1, (count - 1) // 4)
    return sorted(set(range(0, count, step)) | {count - 1, default})


def _control(param, uid):
    """A labelled range input over the grid positions, with ticks, min/max and readout."""
    position = param.values.index(param.default)
    count = len(param.values)
    label = html.escape(param.label)
    ticks = "".join(f'<option value="{i}"></option>' for i in _ticks(count, position))
    return (
        f'<div class="lossviz-control">'
        f'<label for="{uid}">{label}</label>'
        f'<span class="lossviz-range">'
        f'<span class="lossviz-min" aria-hidden="true">{_format(param.values[0])}</span>'
        f'<input type="range" id="{uid}" min="0" max="{count - 1}" step="1" '
        f'value="{position}" list="{uid}-ticks" aria-label="{label}" '
        f'aria-valuetext="{label} = {_format(param.default)}" data-param="{param.name}">'
        f'<span class="lossviz-max" aria-hidden="true">{_format(param.values[-1])}</span>'
        f'</span>'
        f'<output for="{uid}">{_format(param.default)}</output>'
        f'<datalist id="{uid}-ticks">{ticks}</datalist>'
        f'</div>'
    )


def static_html(explorer):
    """Return the explorer as a self-contained HTML fragment (a ``<figure>`` and a script)."""
    # ids unique on a page with several explorers, and the same on every build
    uid = "lossviz-" + hashlib.sha1(explorer.title.encode()).hexdigest()[:8]
    controls = "".join(_control(p, f"{uid}-{p.name}") for p in explorer.params)
    frames = [[p for panel in explorer.points(**values) for p in panel]
              for values in explorer.grid()]
    data = {
        "labels": [p.label for p in explorer.params],
        "values": [[_format(v) for v in p.values] for p in explorer.params],
        "frames": frames,
        "alt": explorer.alt,
    }
    alt = f"{explorer.alt} Shown for {explorer.describe(explorer.defaults)}."
    # "<" escaped so that no value can close the script element early
    payload = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
    return (
        f'<figure class="lossviz-explorer" aria-label="{html.escape(explorer.title)}">'
        f'<div class="lossviz-controls">{controls}</div>'
        f'<div class="lossviz-panels" role="img" aria-label="{html.escape(alt)}">'
        f'{"".join(explorer.panel_svgs())}</div>'
        f'<figcaption>{html.escape(explorer.title)}</figcaption>'
        f'<script type="application/json" class="lossviz-frames">{payload}</script>'
        f"</figure>\n{_SCRIPT}"
    )
