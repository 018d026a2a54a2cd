"""Give the PDF one chapter per page of the table of contents.

Sphinx's LaTeX builder merges the book into one tree under the root page (intro.md):
the root's title becomes the PDF's title, and every page of ``_toc.yml`` is inlined
where the root's table of contents sits, one level below the root's own headings. With
this book's intro that makes "How to read it" chapter 1 and every real chapter a
section of it.

For the LaTeX build of the whole book only, this post-transform
- keeps the root page's text as a first, unnumbered chapter, "About this book" (its
  headings, such as "Notation", become its sections), so that the chapters carry the
  web book's numbers;
- moves every page listed in the root's table of contents after it, so each becomes a
  chapter, and its own headings sections, as in the HTML book's navigation;
- drops a page left without content, such as the bibliography page, whose references
  Sphinx already gathers into the PDF's own Bibliography at the end.

A second post-transform prepares tables for print: a long table becomes a LaTeX
longtable, which may continue on the next page (Sphinx's default table cannot break,
so a long one runs over the page's foot), and inline code in table cells may break (after "_" or ".", and
between a lower-case letter and a capital): LaTeX never breaks inside inline code, so
a class name such as ``SparseCategoricalCrossEntropy`` would run out of its narrow
column into the next one.
"""

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

FIRST_CHAPTER = "About this book"
# LaTeX numbers (and counts) no heading while secnumdepth is -1; the chapter still gets
# its line in the table of contents
UNNUMBERED = r"\edef\lossvizsecnumdepth{\the\value{secnumdepth}}\setcounter{secnumdepth}{-1}" "\n"
NUMBERED = r"\setcounter{secnumdepth}{\lossvizsecnumdepth}" "\n"


def _toctree_wrappers(node):
    """Yield (parent, wrapper) for the root's own tables of contents, not the chapters'."""
    for child in node.children:
        if isinstance(child, addnodes.start_of_file):
            continue
        if isinstance(child, nodes.compound) and "toctree-wrapper" in child["classes"]:
            yield node, child
        elif isinstance(child, nodes.Element):
            yield from _toctree_wrappers(child)


def _is_empty(page):
    """True if a page has nothing to print but its title (no text, no image)."""
    body = [child for section in page.findall(nodes.section) for child in section.children
            if not isinstance(child, nodes.title)]
    body += [child for child in page.children if not isinstance(child, nodes.section)]
    return not any(child.astext().strip() or next(child.findall(nodes.image), None) for child in body)


class OneChapterPerPage(SphinxPostTransform):
    """Lift the pages of the root's table of contents to chapters (whole-book LaTeX only)."""

    # after Sphinx's LaTeX BibliographyTransform (750) has moved the citations out
    default_priority = 800
    formats = ("latex",)

    def run(self, **kwargs):
        if self.env.docname != self.config.root_doc:
            return  # a single-page PDF (--individualpages): nothing to rearrange
        root = next((child for child in self.document.children if isinstance(child, nodes.section)), None)
        if root is None or not root.children or not isinstance(root[0], nodes.title):
            return
        pages = []
        for parent, wrapper in list(_toctree_wrappers(root)):
            pages.extend(child for child in wrapper.children if isinstance(child, addnodes.start_of_file))
            parent.remove(wrapper)
        if not pages:
            return
        # the root's title stays (the writer takes it as the PDF's title); its text goes
        # into a first chapter of its own
        about = nodes.section("", nodes.title(FIRST_CHAPTER, FIRST_CHAPTER), ids=["about-this-book"])
        about.extend(root.children[1:])
        del root.children[1:]
        # unnumbered, like the web book's intro, so that chapter 1 is "What a loss is"
        # in both and a reference such as "Fig. 4.3" means the same figure
        root.append(nodes.raw("", UNNUMBERED, format="latex"))
        root.append(about)
        root.append(nodes.raw("", NUMBERED, format="latex"))
        position = self.document.index(root) + 1
        self.document[position:position] = [page for page in pages if not _is_empty(page)]


# after "_" or ".", or between a lower-case letter and a capital
BREAK_POINT = re.compile(r"(?<=[_.])(?=.)|(?<=[a-z])(?=[A-Z])")
# Characters of text above which a table may not fit on one page (the longest table
# that fits in this book has under 2,500; the selection tables have over 8,000).
LONG_TABLE = 4000


class TablesForPrint(SphinxPostTransform):
    """Let long tables continue on the next page and inline code in cells break."""

    default_priority = 800
    formats = ("latex",)

    def run(self, **kwargs):
        for table in self.document.findall(nodes.table):
            if len(table.astext()) > LONG_TABLE and "longtable" not in table["classes"]:
                table["classes"].append("longtable")
            for literal in list(table.findall(nodes.literal)):
                pieces = BREAK_POINT.split(literal.astext())
                if len(pieces) < 2:
                    continue
                literal.children = []
                for k, piece in enumerate(pieces):
                    if k:
                        literal += nodes.raw("", r"\allowbreak{}", format="latex")
                    literal += nodes.Text(piece)


def setup(app):
    app.add_post_transform(OneChapterPerPage)
    app.add_post_transform(TablesForPrint)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
