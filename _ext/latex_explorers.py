"""In the PDF, show each explorer as a figure: its default frame, its caption, its values.

An explorer's notebook output (``lossviz.explore(...)``) carries the kernel-free HTML
of :func:`lossviz.frames.static_html`: a ``<figure class="lossviz-explorer">`` holding
one ``<input type="range">`` per parameter, the panels as inline SVG and the caption as
its ``<figcaption>``. The same output carries the default frame as ``image/png``, drawn
by lossviz for readers that cannot show HTML. LaTeX is one: without this extension the
PDF would show only the output's one-line text/plain form.

For the LaTeX builder only, a post-transform replaces such an output by a docutils
figure: the default frame written to an image file, the figcaption as caption, and a
legend line naming the parameter values shown and the address of the chapter's HTML
page (from ``html.baseurl`` in ``_config.yml``), where the sliders work. When the
output already sits in a numbered figure of the book (myst-nb's ``figure`` option),
the frame and the legend line go into that figure, with the book's caption. It runs
before myst-nb picks one MIME type per output, so the HTML build is untouched.

An explorer that cannot be converted (no frame, a frame format LaTeX cannot include,
two explorers in one output, no caption, no parameter values) stops the build with an
error naming the page, instead of silently leaving a hole in the PDF.
"""

import hashlib
from html.parser import HTMLParser
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform

EXPLORER_CLASS = "lossviz-explorer"
# What \includegraphics takes under xelatex, in the order they are preferred.
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
# Where frames land inside the LaTeX output folder.
FRAMES_DIR = "explorers"


class _ExplorerParser(HTMLParser):
    """Collect, for each explorer figure in a fragment, its caption and values."""

    def __init__(self):
        super().__init__()
        self.explorers = []
        self._depth = 0  # <figure> nesting inside the current explorer
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self._depth:
            if tag == "figure" and EXPLORER_CLASS in (attrs.get("class") or "").split():
                self.explorers.append({"caption": "", "values": []})
                self._depth = 1
            return
        current = self.explorers[-1]
        if tag == "figure":
            self._depth += 1
        elif tag == "input" and attrs.get("type") == "range":
            current["values"].append(attrs.get("aria-valuetext"))
        elif tag == "figcaption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if not self._depth:
            return
        if tag == "figcaption":
            self._in_caption = False
        elif tag == "figure":
            self._depth -= 1

    def handle_data(self, data):
        if self._in_caption:
            self.explorers[-1]["caption"] += data


def parse_explorer(fragment, frames):
    """Caption, values, mime and data of the one explorer in an output.

    ``fragment`` is the output's HTML; ``frames`` maps the output's other MIME types to
    their bytes (the default frame is one of them). Raises ValueError, naming what is
    missing, if the explorer cannot become a figure.
    """
    parser = _ExplorerParser()
    parser.feed(fragment)
    parser.close()
    if len(parser.explorers) != 1:
        raise ValueError(f"expected one <figure class=\"{EXPLORER_CLASS}\"> in the output, "
                         f"found {len(parser.explorers)}")
    [explorer] = parser.explorers
    usable = [mime for mime in EXTENSIONS if mime in frames]
    if not usable:
        raise ValueError(
            f"the output has no default frame LaTeX can include ({', '.join(EXTENSIONS)}); "
            f"it has {', '.join(sorted(frames)) or 'none'}: lossviz.widgets adds image/png"
        )
    caption = " ".join(explorer["caption"].split())
    if not caption:
        raise ValueError("the explorer has no <figcaption>")
    values = explorer["values"]
    if not values or not all(values):
        raise ValueError("every range input needs aria-valuetext naming its default value")
    return {"caption": caption, "values": values, "mime": usable[0], "data": frames[usable[0]]}


def interactive_url(baseurl, docname):
    """The published HTML page of ``docname``, where the explorer's sliders work."""
    if not baseurl:
        raise ValueError("set html.baseurl in _config.yml: the PDF points readers to the HTML sliders")
    return f"{baseurl.rstrip('/')}/{docname}.html"


def _mime_bundles(node, docname):
    """Yield (parent, bundle, page) for each output of the tree, top down.

    The LaTeX builder merges all pages into one tree, each page under a start_of_file
    node; it moves the children there without updating their parent links, so the page
    of an output is found by walking down, not up.
    """
    for child in node.children:
        if isinstance(child, addnodes.start_of_file):
            yield from _mime_bundles(child, child["docname"])
        elif isinstance(child, nodes.container) and child.get("nb_element") == "mime_bundle":
            yield node, child, docname
        elif isinstance(child, nodes.Element):
            yield from _mime_bundles(child, docname)


def _legend(explorer, url):
    line = nodes.paragraph()
    line += nodes.Text(f"Shown for {', '.join(explorer['values'])}. Move the sliders on ")
    line += nodes.reference(url, url, refuri=url)
    line += nodes.Text(".")
    return nodes.legend("", line)


def explorer_figure(explorer, uri, url):
    """A docutils figure: the frame, the caption, and the line with values and address."""
    figure = nodes.figure("", classes=[EXPLORER_CLASS])
    figure += nodes.image(uri=uri, candidates={"*": uri}, width="100%", alt=explorer["caption"])
    figure += nodes.caption(explorer["caption"], explorer["caption"])
    figure += _legend(explorer, url)
    return figure


class ExplorersAsFigures(SphinxPostTransform):
    """Replace each explorer output by a figure of its default frame (LaTeX only)."""

    # before myst-nb's SelectMimeType (priority 4) drops the HTML for text/plain
    default_priority = 3
    formats = ("latex",)

    def run(self, **kwargs):
        for parent, bundle, docname in list(_mime_bundles(self.document, self.env.docname)):
            html = "".join(
                raw.astext()
                for child in bundle.children
                if child.get("mime_type") == "text/html"
                for raw in child.findall(nodes.raw)
            )
            if EXPLORER_CLASS not in html:
                continue
            try:
                explorer = parse_explorer(html, self._frames(bundle))
                url = interactive_url(self.config.html_baseurl, docname)
            except ValueError as err:
                raise ExtensionError(f"{docname}: an explorer cannot go into the PDF: {err}") from None
            uri = self._write(explorer)
            if isinstance(parent, nodes.figure):
                # already a numbered figure of the book: keep its caption, add the frame
                image = nodes.image(uri=uri, candidates={"*": uri}, width="100%",
                                    alt=explorer["caption"])
                parent.replace(bundle, image)
                parent += _legend(explorer, url)
            else:
                parent.replace(bundle, explorer_figure(explorer, uri, url))

    def _frames(self, bundle):
        """The bytes of the bundle's image outputs, by MIME type (myst-nb wrote them to files)."""
        frames = {}
        for child in bundle.children:
            mime = child.get("mime_type")
            for image in child.findall(nodes.image):
                path = Path(self.env.srcdir) / image["candidates"].get("*", image["uri"]).lstrip("/")
                frames[mime] = path.read_bytes()
        return frames

    def _write(self, explorer):
        """Write the frame into the LaTeX output folder; return its path relative to it."""
        name = hashlib.sha256(explorer["data"]).hexdigest()[:16] + EXTENSIONS[explorer["mime"]]
        path = Path(self.app.outdir) / FRAMES_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(explorer["data"])
        return f"{FRAMES_DIR}/{name}"


def setup(app):
    app.add_post_transform(ExplorersAsFigures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
