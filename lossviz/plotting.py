"""Static figures. Helpers draw on an ``ax`` the caller owns and return the artists,
so a chapter can compose panels and an interactive view can update line data.

Importing this module applies the book's figure style (:mod:`lossviz.style`).
"""

import matplotlib.pyplot as plt
import numpy as np

from . import style
from .curves import curve
from .style import LINESTYLES, PALETTE, line_style  # noqa: F401  (part of this module's API)

style.use()


def plot_curves(ax, x, curves, xlabel=None, ylabel=None, title=None, legend=True):
    """Draw ``curves`` (a dict label -> y values) against ``x``; return the lines by label."""
    lines = {}
    for i, (label, y) in enumerate(curves.items()):
        (lines[label],) = ax.plot(x, y, label=label, linewidth=2, **line_style(i))
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.axhline(0.0, color=style.FOREGROUND, alpha=0.5, linewidth=0.8, zorder=0)
    if legend:
        ax.legend()
    return lines


def plot_loss_and_gradient(axes, losses, x, target=0.0, xlabel="error $e = \\hat y - y$"):
    """Plot each loss (dict label -> loss object) on ``axes[0]`` and its derivative on ``axes[1]``.

    Values are per sample (no 1/n), traced with :func:`lossviz.curves.curve`.
    Returns ``(loss_lines, gradient_lines)``, each a dict keyed by label.
    """
    data = {label: curve(loss, x, target) for label, loss in losses.items()}
    loss_lines = plot_curves(axes[0], x, {k: v[0] for k, v in data.items()},
                             xlabel=xlabel, ylabel="loss", title="Loss")
    grad_lines = plot_curves(axes[1], x, {k: v[1] for k, v in data.items()},
                             xlabel=xlabel, ylabel="derivative", title="Gradient", legend=False)
    return loss_lines, grad_lines


def loss_figure(ncols=2, width=9.0, height=3.4):
    """A figure with ``ncols`` side-by-side panels, sized for a book page (9 in, about 740 CSS px)."""
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), constrained_layout=True)
    return fig, np.atleast_1d(axes)
