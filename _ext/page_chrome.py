"""Markup fixes that assistive technology needs, made where the page is generated.

The bibliography (docutils 0.21 via sphinxcontrib-bibtex) is a ``role="list"`` whose
entries carry ``role="doc-biblioentry"``: a list without list items (axe-core:
aria-required-children, critical), and a role ARIA 1.3 deprecates. The entries become
list items; the list and its order stay as they are.

The theme's templates are overridden in _templates/ (skip link, search and colour-mode
buttons); what only exists after the theme's scripts ran is labelled by
_static/lossviz-pages.js.
"""

import re

BIBLIOENTRY = re.compile(r'(<div class="citation" id="[^"]*" role=")doc-biblioentry(")')


def _fix_bibliography(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = BIBLIOENTRY.sub(r"\1listitem\2", body)


def setup(app):
    # before sphinx-tippy (450) copies the body into its previews
    app.connect("html-page-context", _fix_bibliography, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
