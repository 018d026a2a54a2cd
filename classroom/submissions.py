"""Find the submissions in a folder, taking every name literally, and copy them away.

Student ids come from file and folder names exactly as they are: nothing is expanded as a
pattern, nothing is passed to a command line, and no id is ever used as a path (the
copies are numbered). Every ``*.ipynb`` (in any case) is either graded or reported.
"""

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

CHECKPOINTS = ".ipynb_checkpoints"


@dataclass
class Submission:
    student: str
    path: Path | None          # None: no notebook found for this student
    shown: str                 # the path relative to the submissions folder, for the CSV
    notes: list = field(default_factory=list)
    copy: Path | None = None


def _is_notebook(name):
    return name.lower().endswith(".ipynb") and len(name) > len(".ipynb")


def find(folder, assignment):
    """The submissions in ``folder`` and the entries skipped, each with its reason."""
    folder = Path(folder)
    wanted = f"{assignment}.ipynb".lower()
    found, skipped = [], []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):
            skipped.append((entry.name, "a symbolic link, not followed"))
        elif entry.name == CHECKPOINTS:
            skipped.append((entry.name, "Jupyter's checkpoint folder"))
        elif stat.S_ISREG(mode) and _is_notebook(entry.name):
            found.append(Submission(entry.name[:-len(".ipynb")], Path(entry.path), entry.name))
        elif stat.S_ISDIR(mode):
            found.append(_from_folder(Path(entry.path), entry.name, wanted, assignment))
        else:
            skipped.append((entry.name, "not a notebook (*.ipynb) and not a folder"))
    _mark_duplicates(found)
    return found, skipped


def _from_folder(path, student, wanted, assignment):
    """One student's folder: its ``<assignment>.ipynb``, the other notebooks reported."""
    candidates, others = [], []
    for root, dirs, files in os.walk(path):  # os.walk does not follow symbolic links
        dirs[:] = sorted(d for d in dirs if d != CHECKPOINTS)
        for name in sorted(files):
            full = Path(root) / name
            if not _is_notebook(name) or full.is_symlink():
                continue
            (candidates if name.lower() == wanted else others).append(full)
    # prefer nbgrader's layout, then <student>/<assignment>.ipynb, then the shortest path
    candidates.sort(key=lambda p: (p.parent.name != assignment, len(p.relative_to(path).parts), str(p)))
    sub = Submission(student, candidates[0] if candidates else None,
                     str(candidates[0].relative_to(path.parent)) if candidates else f"{student}/")
    for extra in candidates[1:]:
        sub.notes.append(f"another copy {extra.relative_to(path.parent)} was not graded")
    for other in others:
        sub.notes.append(f"{other.relative_to(path.parent)} not graded (not named {assignment}.ipynb)")
    return sub


def _mark_duplicates(found):
    by_id = {}
    for sub in found:
        by_id.setdefault(sub.student, []).append(sub)
    for subs in by_id.values():
        if len(subs) > 1:
            for sub in subs:
                others = ", ".join(o.shown for o in subs if o is not sub)
                sub.notes.append(f"duplicate student id: also {others}; both graded, keep one")


def copy_all(found, dest, max_bytes):
    """Copy every notebook into ``dest`` (numbered files) before any grading starts."""
    dest = Path(dest)
    for number, sub in enumerate(found):
        if sub.path is None:
            continue
        target = dest / f"{number:04d}.ipynb"
        with open(sub.path, "rb") as f:
            data = f.read(max_bytes + 1)
        target.write_bytes(data)
        sub.copy = target
    return found


def csv_safe(value):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula (OWASP CSV injection)."""
    text = str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text
