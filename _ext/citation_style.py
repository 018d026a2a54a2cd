"""Author-year citations in round brackets, as most textbooks print them.

sphinxcontrib-bibtex's ``author_year`` style uses square brackets for both kinds of
citation, so a sentence that adds its own parentheses reads "(Lin et al. [2017])".
This style keeps author-year and only changes the brackets:

- ``{cite:p}`lin2017``  ->  (Lin et al., 2017)      parenthetical
- ``{cite:t}`lin2017``  ->  Lin et al. (2017)       narrative (textual)

Select it with ``bibtex_reference_style: author_year_round`` in _config.yml.
"""

import dataclasses

from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

ROUND = BracketStyle(left="(", right=")")
# several works in one parenthesis: (Huber, 1964; Barron, 2019)
ROUND_LIST = BracketStyle(left="(", right=")", sep="; ", sep2="; ", last_sep="; ")


@dataclasses.dataclass
class RoundAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    bracket_parenthetical: BracketStyle = dataclasses.field(default_factory=lambda: ROUND_LIST)
    bracket_textual: BracketStyle = dataclasses.field(default_factory=lambda: ROUND)
    bracket_author: BracketStyle = dataclasses.field(default_factory=lambda: ROUND)
    bracket_label: BracketStyle = dataclasses.field(default_factory=lambda: ROUND)
    bracket_year: BracketStyle = dataclasses.field(default_factory=lambda: ROUND)


def setup(app):
    # registered at import time: sphinxcontrib-bibtex looks the name up in builder-inited
    register_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_round",
                    RoundAuthorYearReferenceStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
