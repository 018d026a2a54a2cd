"""Keep virtual environments and tool folders inside the repository out of the book.

The README suggests ``python -m venv .venv`` in the clone. Sphinx would then read every
``.md`` and ``.ipynb`` under ``.venv/lib/.../site-packages`` (package READMEs, Jupyter
Book's own template) as pages of the book, and ``--warningiserror`` stops the build.
This extension finds such folders whatever their name (a folder holding ``pyvenv.cfg``
or ``conda-meta``, any ``site-packages``, and the usual tool folders) and adds them to
``exclude_patterns`` before Sphinx looks for sources.
"""

import fnmatch
import os
from pathlib import Path

# Folders that never hold pages of the book, by name.
TOOL_FOLDERS = {
    ".venv", "venv", "env", ".env", ".tox", ".nox", "node_modules", "__pycache__",
    ".git", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "site-packages",
}
# A folder holding one of these is a Python environment, whatever its name.
ENVIRONMENT_MARKERS = ("pyvenv.cfg", "conda-meta")


def is_environment_or_tool(path):
    """True if the folder at ``path`` is a tool folder or a Python environment."""
    if os.path.basename(path) in TOOL_FOLDERS:
        return True
    return any(os.path.exists(os.path.join(path, marker)) for marker in ENVIRONMENT_MARKERS)


def find_excluded_folders(srcdir, skip=("_build",)):
    """Relative POSIX paths of the folders under ``srcdir`` that the book must not read."""
    found = []
    for dirpath, dirnames, _ in os.walk(srcdir):
        keep = []
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if name in skip and dirpath == srcdir:
                continue
            if is_environment_or_tool(path):
                found.append(os.path.relpath(path, srcdir).replace(os.sep, "/"))
            else:
                keep.append(name)
        # do not descend into what is excluded (an environment holds thousands of files)
        dirnames[:] = keep
    return sorted(found)


def source_files(root, pattern, skip=("_build",)):
    """Paths of the files under ``root`` named like ``pattern`` (``"*.ipynb"``), outside
    environments, tool folders and ``skip``: what belongs to the repository itself."""
    root = str(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames
                       if not (name in skip and dirpath == root)
                       and not is_environment_or_tool(os.path.join(dirpath, name))]
        for name in fnmatch.filter(filenames, pattern):
            yield Path(dirpath, name)


def _exclude(app, config):
    for folder in find_excluded_folders(str(app.srcdir)):
        for pattern in (folder, f"{folder}/**"):
            if pattern not in config.exclude_patterns:
                config.exclude_patterns.append(pattern)


def setup(app):
    app.connect("config-inited", _exclude)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
