"""The book's one figure style, shared by the static figures and the explorers.

:func:`use` sets matplotlib's rcParams and, inside IPython or Jupyter, makes the
inline backend emit SVG (for the HTML book) and PDF (for the book's PDF), so every
static figure is sharp at any zoom and on paper. It runs when
:mod:`lossviz.plotting` is imported, which every chapter that draws does.

Text, ticks and axes are drawn in :data:`FOREGROUND`, a colour no curve uses, and on a
transparent background. The explorers replace that colour by ``currentColor`` in their
inline SVG (:func:`themeable`), so the page's CSS colours them for light and dark mode.
"""

import matplotlib as mpl

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and each
# colour also gets its own line style, so curves stay apart in greyscale too.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (8, 2))]

# Text and axes colour: dark grey in a static figure, "currentColor" in an explorer.
FOREGROUND = "#222222"

# Sizes in points. A static two-panel figure is 9 in (864 CSS px) wide and shown at
# about 740 px, so 11 pt text appears at about 12.5 CSS px; an explorer panel (5 in,
# 360 pt) is shown at about its own width, so 11 pt is about 11 CSS px.
RC = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "figure.titlesize": 12,
    "text.color": FOREGROUND,
    "axes.labelcolor": FOREGROUND,
    "axes.edgecolor": FOREGROUND,
    "xtick.color": FOREGROUND,
    "ytick.color": FOREGROUND,
    "axes.titlecolor": FOREGROUND,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": FOREGROUND,
    "grid.alpha": 0.15,
    "grid.linewidth": 0.8,
    "lines.linewidth": 2.0,
    "legend.frameon": False,
    # transparent, so a figure sits on the page's own background in either theme
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": True,
    "figure.dpi": 100,
    # text stays text in SVG: sharp, searchable, and recoloured by CSS
    "svg.fonttype": "none",
    # fonts embedded as outlines (TrueType) in a PDF, not as Type 3 bitmaps that blur
    "pdf.fonttype": 42,
    # the same figure gives the same SVG (stable notebooks, cacheable pages)
    "svg.hashsalt": "lossviz",
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
}


# Resolution of the raster parts of a vector figure (images drawn with imshow), in
# pixels per inch: an SVG inch is 96 CSS pixels, so 200 gives two device pixels per CSS
# pixel; 300 is print quality.
SVG_IMAGE_DPI = 200
PDF_IMAGE_DPI = 300


def line_style(i):
    """Colour and dash pattern for the i-th curve of a figure."""
    return {"color": PALETTE[i % len(PALETTE)], "linestyle": LINESTYLES[i % len(LINESTYLES)]}


def use():
    """Apply the book's style; inside IPython also make inline figures SVG and PDF."""
    mpl.rcParams.update(RC)
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        from IPython.core.pylabtools import print_figure
        from matplotlib.figure import Figure
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        # SVG for the HTML book and notebooks; no date in it, so re-running a notebook
        # leaves its outputs unchanged. The dpi only sets the resolution of the raster
        # parts (imshow): 2 pixels per CSS pixel on a page, 300 per inch on paper.
        set_matplotlib_formats("svg", metadata={"Date": None}, dpi=SVG_IMAGE_DPI)
        # and a vector PDF beside it, which the book's PDF prints (LaTeX cannot include
        # SVG); the two backends name their date field differently
        shell.display_formatter.formatters["application/pdf"].for_type(
            Figure, lambda fig: print_figure(fig, "pdf", base64=True, dpi=PDF_IMAGE_DPI,
                                             metadata={"CreationDate": None}))


def themeable(svg):
    """An SVG drawn in this style, with its text and axes colour following the page's CSS."""
    return svg.replace(FOREGROUND.lower(), "currentColor")
