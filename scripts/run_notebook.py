"""Execute notebooks in place and store them in a reproducible form.

Usage: python scripts/run_notebook.py chapters/02_regression.ipynb [more.ipynb ...]

Each notebook runs from its own folder (as Binder and the book build run it). Then
what changes from run to run is removed, so executing twice gives the same file and
diffs show only real changes:
- cell ids become a hash of the cell's source (stable when other cells move);
- execution timestamps and the notebook's widget state are dropped;
- consecutive stream outputs of the same stream are merged into one: under load the
  kernel may send one print in several messages, which would otherwise change the
  stored outputs (and split one printed table into several boxes);
- outputs of cells that display a live widget (the explorers) are dropped, because a
  widget view refers to a model that exists only in the kernel that made it; such
  cells carry the ``nbval-ignore-output`` tag, so nbval runs them without comparing.
"""

import hashlib
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# the kernel gets the encrypted transport the book build gives it (no TCP warning)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))
from kernel_encryption import use_encrypted_transport  # noqa: E402

use_encrypted_transport()

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def merge_streams(outputs):
    """Join consecutive stream outputs of the same name (stdout, stderr) into one."""
    merged = []
    for out in outputs:
        previous = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == out.get("name")):
            previous["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def normalise(nb):
    seen = {}
    for cell in nb.cells:
        digest = hashlib.sha1(cell.source.encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        cell.id = f"{digest}-{seen[digest]}"
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        cell.outputs = merge_streams(cell.outputs)
        if any(WIDGET_VIEW in out.get("data", {}) for out in cell.outputs):
            cell.outputs = []
            cell.execution_count = None
            tags = cell.metadata.setdefault("tags", [])
            if "nbval-ignore-output" not in tags:
                tags.append("nbval-ignore-output")
    nb.metadata.pop("widgets", None)
    return nb


def run(path):
    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(normalise(nb), path)
    print(f"executed {path.name}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for notebook in sys.argv[1:]:
        run(notebook)
