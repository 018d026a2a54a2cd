"""In the PDF, show each explorer as a figure: its default frame, its caption, its values.

An explorer's notebook output (``lossviz.explore(...)``) carries the kernel-free HTML
of :func:`lossviz.frames.static_html`: a ``<figure class="lossviz-explorer">`` holding
one ``<input type="range">`` per parameter, the default frame as its one ``<img>`` and
the caption as its ``<figcaption>``. LaTeX cannot show HTML, so without this extension
the PDF would show only the output's one-line text/plain form.

For the LaTeX builder only, a post-transform replaces such an output by a docutils
figure: the default frame written to an image file, the figcaption as caption, and a
legend line naming the parameter values shown and the address of the chapter's HTML
page (from ``html.baseurl`` in ``_config.yml``), where the sliders work. It runs before
myst-nb picks one MIME type per output, so the HTML build is untouched.

An explorer that cannot be converted (no frame, two candidate frames, a frame format
LaTeX cannot include, no caption, no parameter values) stops the build with an error
naming the page, instead of silently leaving a hole in the PDF.
"""

import base64
import binascii
import hashlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote_to_bytes

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform

EXPLORER_CLASS = "lossviz-explorer"
# What \includegraphics takes under xelatex; anything else (an SVG frame, say) must be
# converted first, and the build says so rather than guessing.
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf"}
# Where frames land inside the LaTeX output folder.
FRAMES_DIR = "explorers"


class _ExplorerParser(HTMLParser):
    """Collect, for each explorer figure in a fragment, its frames, caption and values.

    The JSON with the other frames sits in a <script>, which HTMLParser reads as text,
    so only the default frame shows up as an <img>.
    """

    def __init__(self):
        super().__init__()
        self.explorers = []
        self._depth = 0  # <figure> nesting inside the current explorer
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self._depth:
            if tag == "figure" and EXPLORER_CLASS in (attrs.get("class") or "").split():
                self.explorers.append({"frames": [], "caption": "", "values": []})
                self._depth = 1
            return
        current = self.explorers[-1]
        if tag == "figure":
            self._depth += 1
        elif tag == "img":
            current["frames"].append(attrs.get("src") or "")
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


def decode_data_uri(uri):
    """Return (MIME type, bytes) of a ``data:`` URI; ValueError if it is not one."""
    if not uri.startswith("data:") or "," not in uri:
        raise ValueError(f"the default frame is not a data: URI ({uri[:40]!r})")
    header, payload = uri[len("data:"):].split(",", 1)
    mime, *params = header.split(";")
    try:
        data = base64.b64decode(payload, validate=True) if "base64" in params else unquote_to_bytes(payload)
    except binascii.Error as err:
        raise ValueError(f"the default frame's base64 data is corrupt: {err}") from None
    return mime.strip().lower() or "text/plain", data


def parse_explorers(fragment):
    """Return one dict per explorer in an HTML fragment: caption, values, mime, data.

    Raises ValueError, naming what is missing, if an explorer cannot become a figure.
    """
    parser = _ExplorerParser()
    parser.feed(fragment)
    parser.close()
    found = []
    for explorer in parser.explorers:
        frames = explorer["frames"]
        if len(frames) != 1:
            raise ValueError(f"expected the default frame as the explorer's one <img>, found {len(frames)}")
        mime, data = decode_data_uri(frames[0])
        if mime not in EXTENSIONS:
            raise ValueError(
                f"the default frame is {mime}; the LaTeX builder includes only "
                f"{', '.join(EXTENSIONS)}: convert the frame (for SVG, to PDF) in this extension"
            )
        caption = " ".join(explorer["caption"].split())
        if not caption:
            raise ValueError("the explorer has no <figcaption>")
        values = explorer["values"]
        if not values or not all(values):
            raise ValueError("every range input needs aria-valuetext naming its default value")
        found.append({"caption": caption, "values": values, "mime": mime, "data": data})
    return found


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


def explorer_figure(explorer, uri, url):
    """A docutils figure: the frame, the caption, and the line with values and address."""
    figure = nodes.figure("", classes=[EXPLORER_CLASS])
    figure += nodes.image(uri=uri, candidates={"*": uri}, width="100%", alt=explorer["caption"])
    figure += nodes.caption(explorer["caption"], explorer["caption"])
    line = nodes.paragraph()
    line += nodes.Text(f"Shown for {', '.join(explorer['values'])}. Move the sliders on ")
    line += nodes.reference(url, url, refuri=url)
    line += nodes.Text(".")
    figure += nodes.legend("", line)
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
                explorers = parse_explorers(html)
                if not explorers:
                    raise ValueError(f"no <figure class=\"{EXPLORER_CLASS}\"> in the output")
                url = interactive_url(self.config.html_baseurl, docname)
            except ValueError as err:
                raise ExtensionError(f"{docname}: an explorer cannot go into the PDF: {err}") from None
            parent.replace(bundle, [explorer_figure(e, self._write(e), url) for e in explorers])

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
