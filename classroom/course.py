"""The nbgrader course in this folder, and how the two instructor scripts run nbgrader.

Both scripts work in a scratch copy of the course (``nbgrader_config.py`` and
``source/``), so nbgrader's gradebook and working folders never land in the repository.
nbgrader is run as ``python -m nbgrader`` with the same interpreter, and that
interpreter's ``bin`` folder goes first on PATH because nbgrader calls the ``alembic``
command installed beside it to set up its gradebook.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

COURSE = Path(__file__).resolve().parent
SOURCE = COURSE / "source"


def assignments():
    """The assignment names: the folders of source/ that hold ``<name>/<name>.ipynb``."""
    return sorted(p.name for p in SOURCE.iterdir() if (p / f"{p.name}.ipynb").is_file())


def check_assignments(names):
    """Return ``names`` (all assignments if empty), raising SystemExit on an unknown one."""
    known = assignments()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown assignment(s) {unknown}; the assignments are {known}")
    return list(names) or known


def scratch_course(root, names):
    """Lay out a course folder at ``root`` with the config and the sources of ``names``."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    for name in names:
        shutil.copytree(SOURCE / name, root / "source" / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return root


def nbgrader_command(*args):
    return [sys.executable, "-m", "nbgrader", *args]


def nbgrader_env():
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(course_root, *args, log=None):
    """Run one nbgrader command in ``course_root``; raise SystemExit with its log if it fails."""
    result = subprocess.run(nbgrader_command(*args), cwd=course_root, env=nbgrader_env(),
                            capture_output=True, text=True)
    if log is not None:
        Path(log).write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result
