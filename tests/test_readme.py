"""The README works as written: its build command in a fresh clone that holds the virtual
environment the README suggests, and a build output without warning lines."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
from exclude_environments import find_excluded_folders  # noqa: E402


def readme_command(starts_with):
    """The README's shell command that starts with ``starts_with``, word for word."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.startswith(starts_with)]
    assert commands, f"the README has no command starting with {starts_with!r}"
    return commands[0]


def test_build_output_has_no_warning_line_and_says_where_the_html_is(built_book):
    log = (built_book.parent.parent / "build.log").read_text()
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert not warnings, "the build printed warnings:\n" + "\n".join(warnings[:10])
    assert "_build/html/index.html" in log


def test_environments_and_tool_folders_are_found_whatever_their_name(tmp_path):
    for folder in [
        ".venv/lib/python3.11/site-packages/pkg",
        "my-env/lib",
        "conda_env/conda-meta",
        "node_modules/pkg",
        ".tox/py311",
        "vendor/lib/site-packages/pkg",
        "chapters/figures",
    ]:
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "my-env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / "_build" / "html").mkdir(parents=True)

    assert find_excluded_folders(str(tmp_path)) == [
        ".tox", ".venv", "conda_env", "my-env", "node_modules", "vendor/lib/site-packages",
    ]


def test_readme_build_command_works_with_the_venv_inside_a_fresh_clone(built_book, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    # The README's advice, inside the clone. Its packages come from this environment
    # (--system-site-packages) so nothing large is installed again ...
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(clone / ".venv")], check=True)
    venv_purelib = sysconfig.get_path("purelib", vars={"base": str(clone / ".venv"), "platbase": str(clone / ".venv")})
    # ... but its site-packages must hold what a real install puts there: Jupyter Book's
    # own template pages are what broke the build (duplicate citations, orphan pages).
    import jupyter_book

    shutil.copytree(Path(jupyter_book.__file__).parent, Path(venv_purelib) / "jupyter_book")
    # The notebooks were executed by the session's build; reuse its cache.
    cache = built_book.parent / ".jupyter_cache"
    if cache.is_dir():
        shutil.copytree(cache, clone / "_build" / ".jupyter_cache")

    env = dict(os.environ, VIRTUAL_ENV=str(clone / ".venv"))
    env["PATH"] = f"{clone / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        ["bash", "-c", readme_command("python -m pip install -r requirements.txt")],
        cwd=clone, env=env, capture_output=True, text=True, timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the README's build command failed in the clone:\n{output[-6000:]}"
    assert (clone / "_build" / "html" / "index.html").exists()
    assert not [line for line in output.splitlines() if "WARNING" in line and "pip" not in line]
