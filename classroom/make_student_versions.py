"""Make the student versions of the assignments with nbgrader.

Usage:
    python classroom/make_student_versions.py [--out DIR] [ASSIGNMENT ...]

Runs ``nbgrader generate_assignment`` on the source notebooks in classroom/source/,
which removes the solutions (each becomes ``raise NotImplementedError()``), the hidden
tests and the stored outputs, and locks the check cells; the ``grading`` metadata (the
grader's hidden inputs) is removed too. The student versions are
written to DIR/<assignment>/<assignment>.ipynb; DIR defaults to classroom/release,
nbgrader's own release folder (git ignores it). Without ASSIGNMENT, all assignments.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from course import COURSE, assignments, check_assignments, run_nbgrader, scratch_course


def make_student_versions(names, out):
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="lossviz-release-") as tmp:
        root = scratch_course(tmp, names)
        # one nbgrader run for all of them: its glob is much faster than one run each
        pattern = "*" if names == assignments() else None
        for target in ([pattern] if pattern else names):
            run_nbgrader(root, "generate_assignment", target, "--force")
        written = []
        for name in names:
            dest = out / name
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(root / "release" / name, dest)
            path = dest / f"{name}.ipynb"
            # the grading metadata holds the hidden inputs: students must not get it
            nb = nbformat.read(path, as_version=4)
            nb.metadata.pop("grading", None)
            nbformat.write(nb, path)
            written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help=f"default: all of {', '.join(assignments())}")
    parser.add_argument("--out", default=COURSE / "release", type=Path,
                        help="folder for the student versions (default: classroom/release)")
    args = parser.parse_args(argv)
    names = check_assignments(args.assignments)
    for path in make_student_versions(names, args.out):
        print(f"student version: {path}")


if __name__ == "__main__":
    sys.exit(main())
