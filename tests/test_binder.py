"""Binder's set-up, as closely as this machine allows: a fresh virtual environment built
from requirements.txt alone, then every notebook executed from its own folder."""

import subprocess
import sys
from pathlib import Path

import pytest
from exclude_environments import source_files  # _ext/, on the path (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
# the repository's notebooks, not those of a virtual environment made inside the clone
NOTEBOOKS = sorted(str(p) for p in source_files(ROOT, "*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)

RUN_ALL = """
import sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
for path in map(Path, sys.argv[1:]):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    print("ok", path.name, flush=True)
"""


@pytest.fixture(scope="module")
def binder_python(tmp_path_factory):
    venv = tmp_path_factory.mktemp("binder") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # Binder runs `pip install -r requirements.txt` from the repository root.
    result = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", "requirements.txt"],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"pip install -r requirements.txt failed:\n{result.stderr[-4000:]}"
    return python


def test_requirements_alone_run_every_notebook(binder_python):
    result = subprocess.run([str(binder_python), "-c", RUN_ALL, *NOTEBOOKS],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    assert result.stdout.count("ok ") == len(NOTEBOOKS)


def test_environment_is_consistent(binder_python):
    result = subprocess.run([str(binder_python), "-m", "pip", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
