"""The till's parking words: `park [NOTE]`, `parked`, `resume N`. Pure: no database."""

import pytest

from pos.errors import InvalidInput
from pos.services.till import Command, Park, Resume, parse_line


@pytest.mark.parametrize(("line", "action"), [
    ("park", Park("")),
    ("PARK", Park("")),
    ("park   Mrs Lee, back in 5  ", Park("Mrs Lee, back in 5")),
    ("park [bold]x[/bold] 🍺", Park("[bold]x[/bold] 🍺")),
    ("parked", Command("parked")),
    ("resume 41", Resume(41)),
    ("Resume 7", Resume(7)),
])
def test_parking_lines_become_their_actions(line, action):
    assert parse_line(line) == action


@pytest.mark.parametrize("line", ["resume", "resume x", "resume 1 2", "resume -3", "parked 2"])
def test_a_malformed_resume_is_refused_with_how_to_write_it(line):
    with pytest.raises(InvalidInput):
        parse_line(line)
