"""The supported Pythons other than the primary one: lossviz's unit tests and one chapter.

The whole suite runs on the Python that runs pytest (3.11 in CI). For each other supported
version this makes a fresh virtual environment with the pinned packages that lossviz and
one notebook need, and runs those tests there. A version this machine lacks is skipped
locally and fails in CI, whose image has all of them (pyenv).
"""

import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = ["3.11", "3.12", "3.13"]
OTHERS = [v for v in SUPPORTED if v != f"{sys.version_info.major}.{sys.version_info.minor}"]
# What lossviz's tests and a chapter need; versions come from constraints.txt.
PACKAGES = ["numpy", "matplotlib", "ipykernel", "ipywidgets", "myst-nb", "pytest", "hypothesis", "nbval"]
UNIT_TESTS = [
    "tests/test_values.py", "tests/test_gradients.py", "tests/test_numerics.py", "tests/test_errors.py",
    "tests/test_edge_cases.py", "tests/test_value_and_grad.py",
]
NOTEBOOK = "chapters/06_implementing_losses.ipynb"


def find_python(version):
    """The interpreter for ``version`` (``python3.12`` on PATH, or pyenv's), or None."""
    candidates = [f"python{version}"]
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", f"{version}.*", "bin", f"python{version}")))
    for candidate in candidates:
        try:
            out = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == str(tuple(map(int, version.split(".")))):
            return candidate
    return None


def test_requires_python_matches_the_supported_versions():
    text = (ROOT / "pyproject.toml").read_text()
    assert f'requires-python = ">={SUPPORTED[0]}"' in text
    readme = (ROOT / "README.md").read_text()
    assert all(v in readme for v in SUPPORTED), "the README must name every tested Python"


@pytest.mark.parametrize("version", OTHERS)
def test_unit_tests_and_a_chapter_pass_on(version, tmp_path):
    python = find_python(version)
    if python is None:
        if os.environ.get("CI"):
            pytest.fail(f"Python {version} is supported but missing from the CI machine")
        pytest.skip(f"Python {version} is not installed here")
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    vpython = str(venv / "bin" / "python")
    install = subprocess.run(
        [vpython, "-m", "pip", "install", "-q", "-c", "constraints.txt", "-e", ".", *PACKAGES],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run = subprocess.run(
        [vpython, "-m", "pytest", "-q", *UNIT_TESTS, NOTEBOOK],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert run.returncode == 0, f"Python {version}:\n{run.stdout[-5000:]}\n{run.stderr[-2000:]}"
