import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# Enough examples to explore each parameter range, few enough to keep the suite fast;
# derandomised so a failure reproduces exactly.
settings.register_profile("lossviz", max_examples=60, deadline=None, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "lossviz"))


ROOT = Path(__file__).resolve().parent.parent

# The kernels nbval starts get the encrypted transport the book build gives its own.
sys.path.insert(0, str(ROOT / "_ext"))
from kernel_encryption import use_encrypted_transport  # noqa: E402

use_encrypted_transport()


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """Build the book once per session with the README's warning-free command; return the HTML folder.

    What the build printed is kept beside it, in ``build.log``.
    """
    out = tmp_path_factory.mktemp("book")
    # the console script installed beside this interpreter, so a venv's own copy is used
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", "--warningiserror", "--nitpick",
           "--keep-going", "--path-output", str(out), str(ROOT)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    (out / "build.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        pytest.fail(f"book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}")
    return out / "_build" / "html"
