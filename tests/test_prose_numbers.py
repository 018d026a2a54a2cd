"""Numbers quoted in a chapter's text come from its cells' stored outputs.

The chapters pass printed numbers to the text with myst-nb's ``glue`` and quote them with
``{glue:text}`` roles, so the book shows what the cell computed. The book build fails on
a role whose key no cell glued; this test finds the same mistake in a second, without
building, and checks that every quoted value is a number that formats with its role's
format spec, as the build will format it.

The second half of the module fails when the text *types* a number that a cell of the
same chapter prints: such a copy goes stale as soon as the code or the data changes
(issue 10 found a sentence contradicting its own output), so it should be glued.
"""

import ast
import json
import re
from decimal import Decimal
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


# --- numbers typed in the text that a cell prints --------------------------------------

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?!\w)")
# What the text may type without it being a copy of an output. Math is not skipped
# ("$\log 28 \approx 3.33$" restated a printed 3.3322); a definition written in math,
# such as $\delta = 1.5$, is left alone because the code types it too (retyped_numbers).
NOT_PROSE = [
    re.compile(r"^(`{3,})(?!\{).*?^\1", re.S | re.M),  # code blocks (not directives)
    re.compile(r"\{[\w:-]+\}`[^`]*`"),  # roles: glued values, citation keys, labels
    re.compile(r"`[^`\n]*`"),  # inline code: names and the inputs a reader types
    re.compile(r"^:\w+:.*$", re.M),  # directive options (:label:, :widths:)
    re.compile(r"(?:[Ss]ection|[Cc]hapter|Figure|Fig\.|Table|Eq\.|Exercise|§)\s*[\d.]*\d"),
]
YEAR = re.compile(r"(?:19|20)\d\d")  # citation years; a count in 1900-2099 is missed

# Numbers the text types on purpose although a cell prints them too, each with its
# reason. The test also fails on an entry that no longer matches an output, so the list
# cannot outlive what it excuses.
ALLOWED = {
    ("01_what_is_a_loss", "0.1"):
        "e = (0.1, -0.1, 0.2, -0.2) is worked out in the text from the cell's inputs; "
        "0.1 is also a printed gradient entry, by coincidence",
    ("04b_segmentation", "1024"):
        "1024 = 32 x 32, the image size the text itself defines",
}


def significant_digits(number):
    """Digits that carry information: 0.0250 has 3, 2000 has 1, 113 has 3."""
    mantissa = re.split("[eE]", number)[0]
    if "." in mantissa:
        return len(mantissa.replace(".", "").lstrip("0"))
    return len(mantissa.strip("0"))


def typed_numbers(markdown):
    """(number, text around it) for each number of the prose that could be a copy: one
    with a decimal point or 3+ significant digits."""
    for pattern in NOT_PROSE:
        markdown = pattern.sub(" ", markdown)
    for match in NUMBER.finditer(markdown):
        number = match.group()
        if YEAR.fullmatch(number):
            continue
        if "." in number or significant_digits(number) >= 3:
            around = markdown[max(match.start() - 50, 0):match.end() + 30]
            yield number, " ".join(around.split())


def printed_text(cell):
    """What a code cell shows (and glues) as text; not the repr of a figure."""
    texts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            texts.append(out["text"] if isinstance(out["text"], str) else "".join(out["text"]))
        data = out.get("data", {})
        if not any(mime.startswith("image/") for mime in data):
            texts += ["".join(v) for mime, v in data.items() if mime.endswith("text/plain")]
    return "\n".join(texts)


def copied(number, printed):
    """The printed number `number` restates: the same value (0.8 and 0.80), or, for a
    number of 3+ significant digits, a longer one it rounds (36.74 from 36.7368)."""
    value = Decimal(number)
    if value in printed:
        return value
    if significant_digits(number) >= 3:
        unit = Decimal(1).scaleb(-len(number.partition(".")[2]))
        for p in printed:
            # (quantize cannot round a number with more digits than Decimal's precision)
            if p < 10**15 and p.quantize(unit) == value:
                return p
    return None


def retyped_numbers(nb):
    """(typed number, printed number, text around it) for each copy in the markdown.

    A number written the same way in a code cell of the notebook is an input or a
    definition (delta = 1.0, the clip 1e-15) that an output may echo, not a copy.
    """
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    typed_in_code = {n for c in code for n in NUMBER.findall("".join(c["source"]))}
    printed = {abs(Decimal(n)) for c in code for n in NUMBER.findall(printed_text(c))}
    copies = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for number, context in typed_numbers("".join(cell["source"])):
                source = copied(number, printed)
                if source is not None and number not in typed_in_code:
                    copies.append((number, source, context))
    return copies


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_text_does_not_retype_a_printed_number(path):
    copies = retyped_numbers(json.loads(path.read_text()))
    excused = {n for stem, n in ALLOWED if stem == path.stem}
    unexcused = [f"{n} (printed {p}) in '{c}'" for n, p, c in copies if n not in excused]
    assert not unexcused, (
        f"{path.name} types numbers a cell prints; glue them from that cell and quote "
        "them with {glue:text}: " + "; ".join(unexcused))
    stale = excused - {n for n, _, _ in copies}
    assert not stale, f"{path.name}: {sorted(stale)} no longer copied; remove from the lists"


def test_retyped_numbers_are_found():
    """The check itself: what it must find, and what it must leave alone."""
    def found(markdown, printed, code="delta = 1.5"):
        nb = {"cells": [
            {"cell_type": "code", "source": code,
             "outputs": [{"output_type": "stream", "name": "stdout", "text": printed}]},
            {"cell_type": "markdown", "source": markdown}]}
        return [number for number, _, _ in retyped_numbers(nb)]

    assert found("the loss is 0.025, a mean", "loss: 0.025") == ["0.025"]
    assert found("the mean is 0.8", "mean 0.80") == ["0.8"]  # same value
    assert found("capped at about 36.74", "36.7368") == ["36.74"]  # rounded, 4 digits
    assert found("costs about 708 each", "708.3964") == ["708"]  # rounded, 3 digits
    assert found("about 0.3", "0.2877") == []  # 1 significant digit: only exact copies
    assert found("the loss is {glue:text}`loss-0.025:.3f`", "0.025") == []  # glued
    assert found("with $\\delta = 1.5$", "delta = 1.5") == []  # an input the code types
    assert found("Lin et al. 2017, Section 4.2", "2017 4.2") == []  # year, section
    assert found("run `fit(lr=0.025)`", "0.025") == []  # inline code
    assert found("2000 steps", "2000") == []  # a round number, 1 significant digit
