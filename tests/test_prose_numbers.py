"""Numbers quoted in a chapter's text come from its cells' stored outputs.

The chapters pass printed numbers to the text with myst-nb's ``glue`` and quote them with
``{glue:text}`` roles, so the book shows what the cell computed. The book build fails on
a role whose key no cell glued; this test finds the same mistake in a second, without
building, and checks that every quoted value is a number that formats with its role's
format spec, as the build will format it.
"""

import ast
import json
import re
from pathlib import Path

import pytest

CHAPTERS = sorted((Path(__file__).parent.parent / "chapters").glob("*.ipynb"))
ROLE = re.compile(r"\{glue:text\}`([^`]+)`")
GLUED_TEXT = "application/papermill.record/text/plain"


def glued_values(nb):
    """Key -> stored text/plain of every glue call in the notebook's outputs."""
    values = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is not None:
                values[name] = out["data"][GLUED_TEXT]
    return values


def quoted_keys(nb):
    """(key, format spec) of every {glue:text} role in the markdown cells."""
    roles = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for content in ROLE.findall("".join(cell["source"])):
                key, _, spec = content.partition(":")
                roles.append((key, spec))
    return roles


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_quoted_number_is_glued_by_a_cell(path):
    nb = json.loads(path.read_text())
    values, roles = glued_values(nb), quoted_keys(nb)
    missing = sorted({key for key, _ in roles} - set(values))
    assert not missing, f"{path.name}: text quotes {missing} but no cell output glues them"
    for key, spec in roles:
        value = ast.literal_eval(values[key])
        assert isinstance(value, (int, float)), f"{path.name}: glue {key} with a number"
        format(value, spec or "")  # raises if the role's format spec does not fit


def test_some_chapters_quote_glued_numbers():
    assert sum(bool(quoted_keys(json.loads(p.read_text()))) for p in CHAPTERS) >= 3
