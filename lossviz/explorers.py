"""Explorers: figures of a loss and its gradient whose curves follow parameters.

An :class:`Explorer` knows its parameters, its panels (axes), the fixed reference
curves and a function that computes the moving curves from parameter values. It
draws itself two ways, both in the book's style (:mod:`lossviz.style`):

- :meth:`Explorer.panel_svgs` and :meth:`Explorer.points`, for the static HTML book
  (:mod:`lossviz.frames`): matplotlib draws each panel once as SVG, what does not
  move included; for each parameter value only the moving curves are computed and
  exported as SVG polyline points already in the panel's pixel coordinates, so the
  page swaps a ``points`` attribute and the mathematics stays in Python.
- :meth:`Explorer.render` and :meth:`Explorer.png`, for live sliders in a kernel
  (:mod:`lossviz.widgets`): one raster figure whose moving curves are redrawn by
  blitting, a few milliseconds per step.

This module knows nothing of either front end.
"""

import hashlib
import io
import itertools
import re
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from . import classification, overlap, regression, similarity, style
from .curves import curve
from .style import line_style

# One panel of the static book, in inches at 72 dpi, so SVG units are points: 360 x 252.
# Two panels fit side by side in the page's text column (about 740 CSS px) at about
# their own size, and one panel fits a phone's width, where the panels stack.
PANEL_SIZE = (5.0, 3.5)
# How far a simplified polyline may stray from the exact curve, in SVG units (about
# CSS px): a quarter pixel cannot be seen, and it drops most points of smooth curves.
TOLERANCE = 0.25


@dataclass(frozen=True)
class Param:
    """One slider: the keyword it sets, its label, the grid of values and the default.

    ``values`` is the grid the static book pre-computes; a live slider moves over the
    same range in steps of ``step`` (on a log scale when ``log`` is true).
    """

    name: str
    label: str
    values: tuple
    default: float
    step: float = 0.05
    log: bool = False

    def __post_init__(self):
        if self.default not in self.values:
            raise ValueError(f"default {self.name}={self.default} must be one of the grid values")


def steps(low, high, step):
    """Grid values from ``low`` to ``high`` (both included) ``step`` apart, rounded for display."""
    count = int(round((high - low) / step)) + 1
    return tuple(float(v) for v in np.round(low + step * np.arange(count), 10))


@dataclass
class Panel:
    """One axes: its x values, labels, fixed y-limits and the curves it shows."""

    x: np.ndarray
    title: str
    xlabel: str
    ylabel: str
    ylim: tuple


def simplify(xy, tolerance=TOLERANCE):
    """The points of the polyline ``xy`` (n x 2) that keep it within ``tolerance`` of itself.

    Ramer-Douglas-Peucker: keep the ends, then recursively the point farthest from the
    segment between two kept points while it is farther than ``tolerance``. Collinear
    points (straight pieces, flat zero gradients) all go.
    """
    keep = np.zeros(len(xy), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(xy) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, seg, pts = xy[i], xy[j] - xy[i], xy[i + 1:j] - xy[i]
        length2 = seg @ seg
        # distance to the segment (not the infinite line): curves may turn back
        t = np.clip(pts @ seg / length2, 0.0, 1.0) if length2 > 0 else np.zeros(len(pts))
        dist = np.hypot(*(pts - t[:, None] * seg).T)
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            m = i + 1 + k
            keep[m] = True
            stack += [(i, m), (m, j)]
    return xy[keep]


def _format_points(xy):
    """SVG ``points`` text, 0.1 unit precision, repeated points dropped."""
    xy = np.round(xy, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    repeated = np.r_[False, (np.diff(xy, axis=0) == 0).all(axis=1)]
    return " ".join(f"{x:g},{y:g}" for x, y in xy[~repeated])


class Explorer:
    """A figure whose moving curves are recomputed from parameter values.

    Args:
        title: the figure's accessible name and caption.
        params: the sliders, a list of :class:`Param`.
        panels: the axes, a list of :class:`Panel`.
        curves: ``curves(**values)`` returns, for each panel, a dict label -> y values of
            the curves that move with the parameters.
        references: for each panel, a dict label -> y values of fixed comparison curves.
        alt: alt text describing what the figure shows.
        tolerance: how far, in SVG units, the exported polylines may depart from the
            computed curves; larger makes the page lighter (see :data:`TOLERANCE`).
    """

    def __init__(self, title, params, panels, curves, references=None, alt="",
                 tolerance=TOLERANCE):
        self.title = title
        self.params = params
        self.panels = panels
        self.curves = curves
        self.references = references or [{} for _ in panels]
        self.alt = alt
        self.tolerance = tolerance
        self._figure = None
        self._svg = None

    @property
    def defaults(self):
        return {p.name: p.default for p in self.params}

    def describe(self, values):
        """Plain-text summary of the parameter values, e.g. ``delta = 1``."""
        return ", ".join(f"{p.label} = {values[p.name]:g}" for p in self.params)

    def grid(self):
        """Every combination of the parameters' grid values, first parameter slowest."""
        names = [p.name for p in self.params]
        for combo in itertools.product(*(p.values for p in self.params)):
            yield dict(zip(names, combo))

    def _draw_panel(self, ax, panel, refs, moving, labels, legend, **moving_kw):
        """Draw one panel in the book's style; return its moving lines."""
        for label, y in refs.items():
            ax.plot(panel.x, y, label=label, linewidth=1.6, **line_style(labels.index(label)))
        lines = [ax.plot(panel.x, y, label=label, linewidth=2.4, **moving_kw,
                         **line_style(labels.index(label)))[0]
                 for label, y in moving.items()]
        ax.set(title=panel.title, xlabel=panel.xlabel, ylabel=panel.ylabel, ylim=panel.ylim,
               xlim=(panel.x[0], panel.x[-1]))
        ax.axhline(0.0, color=style.FOREGROUND, alpha=0.5, linewidth=0.8, zorder=0)
        if legend:
            ax.legend()
        return lines

    def _labels(self, moving):
        # one style per label across all panels, so a curve looks the same everywhere
        return list(dict.fromkeys(
            label for group in (*moving, *self.references) for label in group))

    # --- static: SVG panels and polyline points ----------------------------------------

    def _build_svg(self):
        moving = self.curves(**self.defaults)
        labels = self._labels(moving)
        # ids must be unique on a page that holds several explorers
        prefix = "lv" + hashlib.sha1(self.title.encode()).hexdigest()[:6]
        svgs, axes = [], []
        with mpl.rc_context(style.RC):
            for i, (panel, refs, curves) in enumerate(zip(self.panels, self.references, moving)):
                fig = Figure(figsize=PANEL_SIZE, dpi=72, layout="constrained")
                ax = fig.subplots()
                for k, line in enumerate(self._draw_panel(ax, panel, refs, curves, labels,
                                                          legend=i == 0)):
                    line.set_gid(f"lossviz-moving-{k}")
                buffer = io.StringIO()
                fig.savefig(buffer, format="svg", metadata={"Date": None})
                # the layout is now fixed: the points computed later must match it
                fig.set_layout_engine("none")
                svgs.append(_inline_svg(buffer.getvalue(), f"{prefix}p{i}"))
                axes.append((ax, fig.bbox.height))
        self._svg = (svgs, axes)

    def panel_svgs(self):
        """One inline ``<svg>`` per panel, drawn at the default values.

        Its moving curves are ``<polyline class="lossviz-moving">`` elements, in the
        order of :meth:`points`. Text and axes use ``currentColor``.
        """
        if self._svg is None:
            self._build_svg()
        filled = []
        for svg, points in zip(self._svg[0], self.points()):
            for k, p in enumerate(points):
                svg = svg.replace(f'data-line="{k}" points=""', f'points="{p}"')
            filled.append(svg)
        return filled

    def points(self, **values):
        """SVG ``points`` of every moving curve for ``values``: one list per panel."""
        if self._svg is None:
            self._build_svg()
        values = {**self.defaults, **values}
        out = []
        for (ax, height), panel, curves in zip(self._svg[1], self.panels, self.curves(**values)):
            out.append([self._pixel_points(ax, height, panel.x, y, self.tolerance)
                        for y in curves.values()])
        return out

    @staticmethod
    def _pixel_points(ax, height, x, y, tolerance):
        xy = ax.transData.transform(np.column_stack([x, np.asarray(y, dtype=float)]))
        xy[:, 1] = height - xy[:, 1]  # SVG's y axis points down
        xy = xy[np.isfinite(xy).all(axis=1)]
        # Far outside the axes the clip path hides the curve anyway; clamping there keeps
        # the numbers short without changing what is visible.
        box = ax.bbox
        top, bottom = height - box.y1, height - box.y0
        xy[:, 1] = np.clip(xy[:, 1], top - box.height, bottom + box.height)
        return _format_points(simplify(xy, tolerance))

    # --- live: one raster figure, moving curves blitted ----------------------------------

    def _whole_figure(self, values, **moving_kw):
        """Every panel in one figure (two per row), drawn for ``values``; its moving lines.

        Must run inside ``mpl.rc_context(style.RC)``.
        """
        ncols = min(len(self.panels), 2)
        nrows = -(-len(self.panels) // ncols)
        # a bare Figure: no pyplot, so nothing is shown twice in a notebook and no
        # global figure list keeps it alive
        fig = Figure(figsize=(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows), dpi=100,
                     layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
        moving = self.curves(**values)
        labels = self._labels(moving)
        lines = []
        for i, (ax, panel, refs, curves) in enumerate(
                zip(axes, self.panels, self.references, moving)):
            lines += self._draw_panel(ax, panel, refs, curves, labels, legend=i == 0,
                                      **moving_kw)
        return fig, lines

    def _build(self):
        with mpl.rc_context(style.RC):
            fig, lines = self._whole_figure(self.defaults, animated=True)
            # a notebook may have a dark theme: the image brings its own white
            fig.set_facecolor("white")
            FigureCanvasAgg(fig)
            fig.canvas.draw()
        background = fig.canvas.copy_from_bbox(fig.bbox)
        self._figure = (fig, lines, background)

    def render(self, **values):
        """Redraw the moving curves for ``values`` and return the RGB image as an array."""
        if self._figure is None:
            self._build()
        fig, lines, background = self._figure
        values = {**self.defaults, **values}
        ys = [y for panel_curves in self.curves(**values) for y in panel_curves.values()]
        fig.canvas.restore_region(background)
        for line, y in zip(lines, ys):
            line.set_ydata(y)
            line.axes.draw_artist(line)
        return np.asarray(fig.canvas.buffer_rgba())[..., :3]

    def png(self, quantize=False, **values):
        """The live figure for ``values`` as PNG bytes.

        ``quantize=True`` reduces it to a 64-colour palette: about 4 times smaller; a
        live slider skips that step for speed.
        """
        image = Image.fromarray(self.render(**values))
        buffer = io.BytesIO()
        if quantize:
            image.quantize(64).save(buffer, format="PNG", optimize=True)
        else:
            image.save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()

    def pdf(self, **values):
        """The figure for ``values`` as vector PDF bytes (the book's PDF prints this)."""
        with mpl.rc_context(style.RC):
            fig, _ = self._whole_figure({**self.defaults, **values})
            buffer = io.BytesIO()
            # no creation date: the same figure gives the same bytes on every run
            fig.savefig(buffer, format="pdf", metadata={"CreationDate": None})
        return buffer.getvalue()


def _inline_svg(svg, prefix):
    """Matplotlib's SVG file made fit to sit inside an HTML page.

    Drops the XML prolog, the metadata, the fixed size (CSS sizes the panel) and the
    global ``*`` style rule (inline, it would apply to the whole page); prefixes the ids
    that are referenced (clip paths, tick markers) so several panels can share a page,
    and drops the others; turns the moving lines into ``<polyline>`` elements.
    """
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)
    svg = re.sub(r'<svg [^>]*?(viewBox="[^"]*")[^>]*>',
                 r'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                 r'\1 class="lossviz-panel" aria-hidden="true">', svg, count=1)
    referenced = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg))

    def rename(match):
        name = match.group(1)
        if name.startswith("lossviz-moving-"):
            return match.group(0)
        return f' id="{prefix}{name}"' if name in referenced else ""

    svg = re.sub(r' id="([^"]+)"', rename, svg)
    svg = re.sub(r'(url\(#|href="#)([^)"]+)', lambda m: m.group(1) + prefix + m.group(2), svg)
    # <g id="lossviz-moving-k"><path d="..." clip-path=... style=.../></g> -> one polyline
    svg = re.sub(r'<g id="lossviz-moving-(\d+)">\s*<path d="[^"]*"([^>]*)/>\s*</g>',
                 r'<polyline class="lossviz-moving" data-line="\1" points=""\2/>', svg)
    svg = svg.replace("stroke: #000000", "stroke: currentColor")
    # the page's CSS names the font (matplotlib's list is long and repeated per text)
    svg = re.sub(r"font-family: [^;\"]*;? ?", "", svg)
    # 0.01 units is far below a pixel; matplotlib writes six decimals (in tags only: a
    # tick label such as 0.001 is text and stays as it is)
    def rounded(tag):
        return re.sub(r"\d+\.\d{3,}",
                      lambda m: f"{float(m.group(0)):.2f}".rstrip("0").rstrip("."), tag.group(0))

    svg = re.sub(r"<[^>]+>", rounded, svg)
    svg = re.sub(r' transform="rotate\(-0 [^)]*\)"', "", svg)
    svg = re.sub(r"\s*\n\s*", " ", svg).replace("> <", "><").replace(' "', '"')
    # a group without attributes changes nothing, and matplotlib wraps every artist in one
    single = r"<g>(<(?:path|use|polyline|rect)[^>]*/>|<text[^>]*>[^<]*</text>)</g>"
    while re.search(single, svg):
        svg = re.sub(single, r"\1", svg)
    svg = svg.replace("<defs></defs>", "")
    return style.themeable(svg)


# --- The book's explorers -------------------------------------------------------------

E = np.linspace(-3.0, 3.0, 301)
E_LABEL = "error $e = \\hat y - y$"
LOGIT = np.linspace(-6.0, 6.0, 301)
PROB = np.linspace(0.001, 0.999, 300)


def _regression_panels(loss_ylim=(-0.2, 4.5), grad_ylim=(-3.2, 3.2)):
    return [Panel(E, "Loss", E_LABEL, "per-sample loss", loss_ylim),
            Panel(E, "Gradient", E_LABEL, "derivative w.r.t. $\\hat y$", grad_ylim)]


def _loss_and_grad(losses):
    """Per-panel dicts of loss curves and derivative curves for losses traced against E."""
    data = {label: curve(loss, E) for label, loss in losses.items()}
    return [{k: v[0] for k, v in data.items()}, {k: v[1] for k, v in data.items()}]


def huber_explorer():
    """Huber loss and gradient against the error, with MSE and MAE for comparison."""
    return Explorer(
        "Huber loss: move δ (delta)",
        [Param("delta", "δ (delta)", steps(0.1, 3.0, 0.05), 1.0)],
        _regression_panels(),
        lambda delta: _loss_and_grad({"Huber": regression.HuberLoss(delta)}),
        references=_loss_and_grad({"MSE": regression.MeanSquaredError(),
                                     "MAE": regression.MeanAbsoluteError()}),
        alt="Huber loss against the error: a parabola near zero that turns into straight lines "
            "at plus and minus delta, between the MSE parabola and the MAE V; its gradient is "
            "the error clipped to plus or minus delta.",
    )


def quantile_explorer():
    """Quantile (pinball) loss and gradient against the error, with MAE for comparison."""
    return Explorer(
        "Quantile loss: move τ (tau)",
        [Param("tau", "τ (tau)", steps(0.02, 0.98, 0.02), 0.5, step=0.02)],
        _regression_panels(loss_ylim=(-0.1, 3.2), grad_ylim=(-1.1, 1.1)),
        lambda tau: _loss_and_grad({"quantile": regression.QuantileLoss(tau)}),
        references=_loss_and_grad({"MAE": regression.MeanAbsoluteError()}),
        alt="Quantile loss against the error: two straight lines meeting at zero, slope 1 - tau "
            "for over-prediction and -tau for under-prediction; its gradient is a step between "
            "-tau and 1 - tau.",
    )


def general_explorer():
    """Barron's general robust loss for a shape alpha and a scale c."""
    return Explorer(
        "General robust loss: move α (alpha) and the scale c",
        # finer where the shape changes most (between the Cauchy and the quadratic case)
        [Param("alpha", "α (alpha)", (-10.0, -6.0, -4.0, -3.0) + steps(-2.0, 2.0, 0.25), 1.0,
               step=0.1),
         Param("scale", "c (scale)", steps(0.5, 1.0, 0.1) + steps(1.2, 2.0, 0.2), 1.0, step=0.1)],
        _regression_panels(loss_ylim=(-0.2, 4.5), grad_ylim=(-3.2, 3.2)),
        lambda alpha, scale: _loss_and_grad(
            {"general": regression.GeneralRobustLoss(alpha=alpha, scale=scale)}),
        references=_loss_and_grad({"½ e² (α = 2, c = 1)": regression.GeneralRobustLoss(2.0)}),
        alt="Barron's general loss against the error for the chosen alpha and scale, beside the "
            "quadratic alpha = 2 case; smaller alpha flattens the loss for large errors and "
            "pulls the gradient of large errors back toward zero.",
    )


def mixture_explorer():
    """The MSE/MAE mixture alpha e^2 + (1 - alpha)|e|."""
    return Explorer(
        "MSE/MAE mixture: move α (alpha)",
        [Param("alpha", "α (alpha)", steps(0.0, 1.0, 0.025), 0.5, step=0.025)],
        _regression_panels(loss_ylim=(-0.2, 5.0), grad_ylim=(-6.2, 6.2)),
        lambda alpha: _loss_and_grad({"mixture": regression.CustomRegressionLoss(alpha)}),
        references=_loss_and_grad({"MSE": regression.MeanSquaredError(),
                                     "MAE": regression.MeanAbsoluteError()}),
        alt="The mixture alpha times squared error plus (1 - alpha) times absolute error against "
            "the error, between the MAE V (alpha = 0) and the MSE parabola (alpha = 1).",
    )


def _binary_panels(loss_ylim=(-0.2, 6.5), grad_ylim=(-1.1, 1.1)):
    return [Panel(LOGIT, "Loss", "logit $z$", "per-sample loss", loss_ylim),
            Panel(LOGIT, "Gradient", "logit $z$", "derivative w.r.t. $z$", grad_ylim)]


def _binary_curves(loss, target_names=(("y = 1", 1.0), ("y = 0", 0.0))):
    """Loss and derivative against the logit, one curve per target."""
    data = {name: curve(loss, LOGIT, target) for name, target in target_names}
    return [{k: v[0] for k, v in data.items()}, {k: v[1] for k, v in data.items()}]


def _prefixed(panels, prefix):
    return [{f"{prefix} {k}": v for k, v in p.items()} for p in panels]


def weighted_ce_explorer():
    """Weighted cross-entropy with class_weights = (1 - alpha, alpha), against the logit."""
    plain = _prefixed(_binary_curves(classification.BinaryCrossEntropy(from_logits=True)), "CE,")
    return Explorer(
        "Weighted cross-entropy: move α (alpha), the positive-class weight",
        [Param("alpha", "α (alpha)", steps(0.02, 0.98, 0.02), 0.5, step=0.02)],
        _binary_panels(),
        lambda alpha: _prefixed(_binary_curves(classification.WeightedCrossEntropy(
            (1.0 - alpha, alpha), from_logits=True)), "weighted,"),
        references=plain,
        alt="Weighted cross-entropy against the logit for a positive (weight alpha) and a "
            "negative example (weight 1 - alpha), beside plain cross-entropy; raising alpha "
            "scales the positive curve and its gradient up and the negative one down.",
    )


def focal_explorer():
    """Focal loss against p_t and against the logit, with cross-entropy for comparison."""
    bce = classification.BinaryCrossEntropy()
    ce_pt = curve(bce, PROB, 1.0)
    ce_logit = curve(classification.BinaryCrossEntropy(from_logits=True), LOGIT, 1.0)

    def curves(gamma, alpha):
        focal_p = classification.FocalLoss(gamma=gamma, alpha=alpha)
        focal_z = classification.FocalLoss(gamma=gamma, alpha=alpha, from_logits=True)
        pos_p, neg_p = curve(focal_p, PROB, 1.0), curve(focal_p, 1.0 - PROB, 0.0)
        pos_z = curve(focal_z, LOGIT, 1.0)
        return [{"focal, y = 1": pos_p[0], "focal, y = 0": neg_p[0]},
                {"focal, y = 1": pos_p[1]},
                {"focal, y = 1": pos_z[0]},
                {"focal, y = 1": pos_z[1]}]

    return Explorer(
        "Focal loss: move γ (gamma) and α (alpha)",
        [Param("gamma", "γ (gamma)", steps(0.0, 5.0, 0.25), 2.0, step=0.05),
         Param("alpha", "α (alpha)", steps(0.05, 0.25, 0.05) + steps(0.4, 0.9, 0.1), 0.25)],
        [Panel(PROB, "Loss against $p_t$", "probability of the true class $p_t$",
               "per-sample loss", (-0.1, 5.0)),
         Panel(PROB, "Gradient against $p_t$ (y = 1)", "probability of the true class $p_t$",
               "derivative w.r.t. $p$", (-5.0, 0.2)),
         Panel(LOGIT, "Loss against the logit (y = 1)", "logit $z$", "per-sample loss",
               (-0.2, 6.5)),
         Panel(LOGIT, "Gradient (y = 1)", "logit $z$", "derivative w.r.t. $z$", (-1.05, 0.1))],
        curves,
        references=[{"CE": ce_pt[0]}, {"CE": ce_pt[1]}, {"CE": ce_logit[0]}, {"CE": ce_logit[1]}],
        alt="Four panels: focal loss against the probability of the true class for positives "
            "(weight alpha) and negatives (weight 1 - alpha) and its gradient, then against the "
            "logit with its gradient, each beside cross-entropy; larger gamma flattens the loss "
            "of well-classified examples.",
        # 231 frames of 5 curves: half a unit keeps the page under 250 KB
        tolerance=0.5,
    )


def label_smoothing_explorer():
    """Cross-entropy with smoothed labels against the true-class logit, three classes."""
    z = np.linspace(-4.0, 8.0, 301)
    logits = np.column_stack([z, np.zeros_like(z), np.zeros_like(z)])
    cce = classification.CategoricalCrossEntropy(from_logits=True)

    def traced(eps):
        target = np.tile((1.0 - eps) * np.eye(3)[0] + eps / 3.0, (z.size, 1))
        return cce.per_sample(target, logits), cce.per_sample_derivative(target, logits)[:, 0]

    hard = traced(0.0)

    def curves(smoothing):
        loss, grad = traced(smoothing)
        return [{"smoothed": loss}, {"smoothed": grad}]

    return Explorer(
        "Label smoothing: move ε (smoothing)",
        [Param("smoothing", "ε (smoothing)", steps(0.0, 0.5, 0.01), 0.1, step=0.01)],
        [Panel(z, "Loss", "true-class logit $z$ (others 0)", "per-sample loss", (-0.1, 4.5)),
         Panel(z, "Gradient", "true-class logit $z$ (others 0)", "derivative w.r.t. $z$",
               (-1.05, 0.6))],
        curves,
        references=[{"one-hot (ε = 0)": hard[0]}, {"one-hot (ε = 0)": hard[1]}],
        alt="Cross-entropy from logits (z, 0, 0) with the target smoothed by epsilon, beside "
            "the one-hot target: with smoothing the loss has a minimum at a finite logit, "
            "where the gradient crosses zero, and the minimum moves left as epsilon grows.",
    )


def contrastive_explorer():
    """Contrastive loss against the distance for similar and dissimilar pairs."""
    d = np.linspace(0.0, 3.0, 301)

    def curves(margin):
        loss = similarity.ContrastiveLoss(margin)
        sim, dis = curve(loss, d, 1.0), curve(loss, d, 0.0)
        return [{"similar (y = 1)": sim[0], "dissimilar (y = 0)": dis[0]},
                {"similar (y = 1)": sim[1], "dissimilar (y = 0)": dis[1]}]

    return Explorer(
        "Contrastive loss: move the margin m",
        [Param("margin", "m (margin)", steps(0.1, 2.5, 0.05), 1.0)],
        [Panel(d, "Loss", "distance $d$", "per-pair loss", (-0.1, 3.2)),
         Panel(d, "Gradient", "distance $d$", "derivative w.r.t. $d$", (-2.7, 3.1))],
        curves,
        alt="Contrastive loss against the distance: a parabola for similar pairs, and for "
            "dissimilar pairs a parabola that falls to zero at the margin and stays zero.",
    )


def triplet_explorer():
    """Triplet loss against the distance gap d(a, p) - d(a, n)."""
    gap = np.linspace(-3.0, 3.0, 301)

    def curves(margin):
        # one triplet per gap value in 1-D: a = 0, p = 1 + max(gap, 0), n = 1 - min(gap, 0)
        a = np.zeros((gap.size, 1))
        p = (1.0 + np.maximum(gap, 0.0))[:, None]
        n = (1.0 - np.minimum(gap, 0.0))[:, None]
        loss = similarity.TripletLoss(margin)
        _, (_, grad_p, _) = loss.value_and_grad(a, p, n)
        return [{"triplet": loss.per_sample(a, p, n)},
                {"triplet": grad_p[:, 0] * gap.size}]

    return Explorer(
        "Triplet loss: move the margin m",
        [Param("margin", "m (margin)", steps(0.05, 2.5, 0.05), 1.0)],
        [Panel(gap, "Loss", "gap $d(a, p) - d(a, n)$", "per-triplet loss", (-0.1, 5.2)),
         Panel(gap, "Gradient", "gap $d(a, p) - d(a, n)$", "derivative", (-0.1, 1.2))],
        curves,
        alt="Triplet loss against the gap between the anchor-positive and anchor-negative "
            "distances: zero until the gap exceeds minus the margin, then a straight line; "
            "its derivative steps from 0 to 1 there.",
    )


def overlap_explorer():
    """Dice and IoU loss of a scaled prediction, on a small object and on an empty mask."""
    # dense near 0, where smoothing acts: with an empty mask the loss jumps within c < s
    level = np.unique(np.r_[np.geomspace(1e-4, 0.02, 60), np.linspace(0.0, 1.0, 101)])
    obj = np.zeros(64)
    obj[:4] = 1.0  # 4 foreground pixels out of 64
    empty = np.zeros(64)

    def traced(loss, mask, pred_of):
        shape = pred_of(1.0)
        values, slopes = [], []
        for c in level:
            value, grad = loss.value_and_grad(mask, pred_of(c))
            values.append(value)
            # d loss / d c = sum_j dL/dp_j * dp_j/dc, with dp/dc = the prediction's shape
            slopes.append(np.dot(grad, shape))
        return np.array(values), np.array(slopes)

    def curves(smooth):
        out = [{}, {}]
        for name, cls in (("Dice", overlap.DiceLoss), ("IoU", overlap.IoULoss)):
            loss = cls(smooth=smooth)
            for case, mask, pred_of in (("object", obj, lambda c: c * obj),
                                        ("empty mask", empty, lambda c: np.full(64, c))):
                v, s = traced(loss, mask, pred_of)
                out[0][f"{name}, {case}"] = v
                out[1][f"{name}, {case}"] = s
        return out

    return Explorer(
        "Dice and IoU loss: move the smoothing s",
        # 10^-3.4 to 10^0.6 (about 4), evenly spaced in the exponent: 41 values; below
        # that the curves differ by less than a pixel
        [Param("smooth", "s (smooth)",
               tuple(float(f"{10.0 ** k:.3g}") for k in steps(-3.4, 0.6, 0.1)), 1.0, log=True)],
        [Panel(level, "Loss", "prediction level $c$", "loss", (-0.05, 1.05)),
         Panel(level, "Gradient", "prediction level $c$", "derivative w.r.t. $c$", (-3.0, 3.0))],
        curves,
        alt="Dice and IoU loss against a prediction level c, for a 4-pixel object predicted as "
            "c on its pixels and for an empty mask predicted as c everywhere; larger smoothing "
            "softens both curves near c = 0.",
    )


EXPLORERS = {
    "huber": huber_explorer,
    "quantile": quantile_explorer,
    "general": general_explorer,
    "mixture": mixture_explorer,
    "weighted_ce": weighted_ce_explorer,
    "label_smoothing": label_smoothing_explorer,
    "focal": focal_explorer,
    "contrastive": contrastive_explorer,
    "triplet": triplet_explorer,
    "overlap": overlap_explorer,
}
