"""Serve MathJax and tippy.js from the site itself, so pages work offline.

Sphinx loads MathJax from a CDN by default: offline, in a classroom with a poor network
or behind a strict content policy, equations then show as raw TeX. The PyPI package
``django-static-mathjax`` (no dependencies; pinned in requirements.txt) ships the
MathJax 3 browser build. This extension points ``mathjax_path`` at a copy under
``_static/mathjax`` and copies just what the CommonHTML output needs: the combined
TeX+MathML bundle, its web fonts and the TeX extensions it may autoload.

sphinx-tippy (hover previews) loads tippy.js and @popperjs/core from a CDN by default.
Their browser builds (npm ``tippy.js`` 6.3.7 ``dist/tippy-bundle.umd.min.js`` and
``@popperjs/core`` 2.11.8 ``dist/umd/popper.min.js``, MIT, licences beside them) are
kept in ``_ext/static/vendor`` and served from ``_static/vendor``.
"""

import shutil
from pathlib import Path

import mathjax

SOURCE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
PARTS = ["tex-mml-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions"]
TARGET = "mathjax"
# files of _ext/static land in the site's _static folder
EXTENSION_STATIC = Path(__file__).parent / "static"
TIPPY_JS = ("vendor/popper.min.js", "vendor/tippy-bundle.umd.min.js")


def _use_local_mathjax(app, config):
    config.mathjax_path = f"{TARGET}/tex-mml-chtml.js"


def _use_local_tippy(app, config):
    config.tippy_js = TIPPY_JS
    config.html_static_path = [*config.html_static_path, str(EXTENSION_STATIC)]


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / TARGET
    for part in PARTS:
        src, dst = SOURCE / part, target / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
    shutil.copy2(SOURCE.parent / "LICENSE", target / "LICENSE")


def setup(app):
    app.connect("config-inited", _use_local_mathjax)
    app.connect("config-inited", _use_local_tippy)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
