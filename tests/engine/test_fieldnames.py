"""Names read inside f-string replacement fields, with their offsets in the literal."""
from __future__ import annotations

import pytest

from phasemod.fieldnames import field_names


@pytest.mark.parametrize("literal,expected", [
    ('f"{Old()!r}"', [("Old", 3)]),
    ('f"{x:{Old.width}}"', [("x", 3), ("Old", 6)]),
    ("f\"{f'{Old}'}\"", [("Old", 6)]),
    ('f"{Old=}"', [("Old", 3)]),
    ('f"{ Old }"', [("Old", 4)]),
    ('f"{d["Old"]} {Old}"', [("d", 3), ("Old", 14)]),                 # PEP 701: the string is no name
    ('F"""{\n    Old\n}"""', [("Old", 10)]),                         # a field over several lines
    ('f"{[Old for Old in xs]}"', [("xs", 19)]),                       # bound in the field: not free
    ('f"{(lambda Old: Old)(1)}"', []),
    ('f"{obj.Old}"', [("obj", 3)]),
    ('rf"\\d{Old}"', [("Old", 6)]),
    ('"{Old}"', []), ('b"{Old}"', []), ('f"{{Old}}"', []),
])
def test_field_names(literal: str, expected: list[tuple[str, int]]) -> None:
    found = field_names(literal)
    assert [(f.name, f.offset) for f in found] == expected
    for f in found:
        assert literal[f.offset:f.offset + len(f.name)] == f.name


def test_attribute_chain_after_a_name() -> None:
    (found,) = field_names('f"{m.Old.run()}"')
    assert (found.name, found.attributes) == ("m", ("Old", "run"))
