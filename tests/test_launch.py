"""Launch paths: Binder (pinned requirements, runtime), Colab (install cell), JupyterHub buttons."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
NOTEBOOKS = sorted(p for p in ROOT.glob("chapters/*.ipynb"))
ASSIGNMENTS = sorted(ROOT.glob("classroom/source/*/*.ipynb"))


def test_launch_buttons_and_repository_are_configured():
    buttons = CONFIG["launch_buttons"]
    for key in ("binderhub_url", "colab_url"):
        assert buttons[key].startswith("https://"), key
    # a JupyterHub entry only for a real hub: none, or an https address that is not a
    # placeholder (the comment in _config.yml says how to add one)
    hub = buttons.get("jupyterhub_url")
    if hub:
        assert hub.startswith("https://") and not re.search(r"example\.(org|com)|your-", hub), hub
    assert CONFIG["repository"]["url"].startswith("https://github.com/")
    assert CONFIG["repository"]["branch"]
    assert CONFIG["html"]["use_repository_button"] and CONFIG["html"]["use_download_button"]


def test_binder_environment_is_pinned():
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    assert "-e ." in lines and "-c constraints.txt" in lines
    for name in ("requirements.txt", "constraints.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if not line or line in ("-e .", "-c constraints.txt"):
                continue
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][A-Za-z0-9.+]*", line), f"{name}: not an exact pin: {line}"


def test_every_chapter_installs_lossviz_on_colab_from_the_configured_repository():
    expected = f'lossviz @ git+{CONFIG["repository"]["url"]}@{CONFIG["repository"]["branch"]}'
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        first = json.loads(path.read_text())["cells"][0]
        source = "".join(first["source"])
        assert first["cell_type"] == "code" and "remove-cell" in first["metadata"].get("tags", []), path.name
        assert "except ImportError" in source and expected in source, f"{path.name}: install cell missing or stale"


def test_every_assignment_installs_lossviz_on_colab():
    expected = f'lossviz @ git+{CONFIG["repository"]["url"]}@{CONFIG["repository"]["branch"]}'
    assert ASSIGNMENTS
    for path in ASSIGNMENTS:
        sources = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                   if c["cell_type"] == "code"]
        assert expected in sources[0], f"{path.name}: the first code cell must install lossviz"


def test_launch_menu_offers_exactly_the_configured_services(built_book):
    """Every chapter notebook has a launch menu; JupyterHub is in it only when configured."""
    buttons = CONFIG["launch_buttons"]
    for path in NOTEBOOKS:
        html = (built_book / "chapters" / f"{path.stem}.html").read_text()
        assert "mybinder.org/v2/gh/" in html, f"{path.name}: no Binder launch button"
        assert "colab.research.google.com/github/" in html, f"{path.name}: no Colab launch button"
        assert ("JupyterHub" in html) == bool(buttons.get("jupyterhub_url")), path.name
