"""Drop repeated <script> entries from each page.

sphinx-thebe (which Jupyter Book always loads) registers its inline configuration
script every time documents are read, so a page can end up declaring
``const THEBE_JS_URL`` twice; the second declaration is a SyntaxError in the reader's
console. Keeping the first of identical entries removes it (togglebutton's selector
script is repeated the same way).
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # an inline script is registered with filename None or "" depending on the caller
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    # late: other handlers add scripts to the page during this same event
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
