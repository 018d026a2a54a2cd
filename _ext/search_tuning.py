"""Search that finds a loss by its name and shows readable snippets.

Sphinx's search ranks whole pages: "focal loss" matched the word "loss" in the title
of the "Advanced losses" stub as strongly as the focal-loss section itself, and only a
section title at least half as long as the query counted as a section hit. Its
snippets are the page's text, TeX source of the equations included.

Two changes:

- At build time, the text of equations (TeX source such as ``\\frac``, ``\\hat``) is
  left out of the index, so words inside formulas do not match.
- On the search page, ``lossviz-search.js`` ranks sections whose title contains the
  query first (shorter titles first), and builds snippets from the article's prose,
  with equations and code left out.
"""

import copy

from docutils import nodes

SEARCH_JS = "lossviz-search.js"


def _index_without_math(app):
    builder = app.builder
    if builder.format != "html" or not hasattr(builder, "index_page"):
        return
    index_page = builder.index_page

    def index_page_without_math(pagename, doctree, title):
        # a copy: the page itself is written from the original doctree, equations included
        doctree = copy.deepcopy(doctree)
        for node in list(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))):
            node.parent.remove(node)
        index_page(pagename, doctree, title)

    builder.index_page = index_page_without_math


def _add_search_script(app, pagename, templatename, context, doctree):
    if pagename == "search":
        # deferred: runs after searchtools.js has defined Search, before the query runs
        app.add_js_file(SEARCH_JS, loading_method="defer")


def setup(app):
    app.connect("builder-inited", _index_without_math)
    app.connect("html-page-context", _add_search_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
