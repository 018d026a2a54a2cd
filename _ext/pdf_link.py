"""Offer the whole book as a PDF in every HTML page's download menu.

sphinx-book-theme's download menu has ".ipynb", the page's source and ".pdf", which
only prints the current page from the browser. This adds "Book (PDF)", a link to the
PDF that the LaTeX build makes (README: "Build the PDF") and that the Pages workflow
publishes at the site's root as ``PDF_NAME``. The link is relative, so it also works in
a downloaded copy of the site.
"""

PDF_NAME = "book.pdf"


def _add_book_pdf(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append({
                "type": "link",
                "url": context["pathto"](PDF_NAME, 1),
                "text": "Book (PDF)",
                "tooltip": "Download the whole book as a PDF",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            })


def setup(app):
    # after sphinx-book-theme fills header_buttons (its handler runs at the default 500)
    app.connect("html-page-context", _add_book_pdf, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
