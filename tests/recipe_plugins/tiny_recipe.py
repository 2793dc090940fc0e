"""rename_name: rename every use of a bare Python name (a function, a constant)."""
from __future__ import annotations

from dataclasses import dataclass

from fissix.pgen2 import token

from phasemod.model import Kind
from phasemod.recipe import Example, Found, Reads, Recipe, Source, option


def identifier(value: str) -> str | None:
    return None if value.isidentifier() else f"expected a Python name like fetch_all, got {value!r}"


@dataclass(frozen=True)
class Options:
    old: str = option(example="fetch_all", check=identifier, doc="the name to replace")
    new: str = option(example="fetch_every", check=identifier, doc="the name it becomes")


def uses(tree, name):
    """NAME leaves spelling ``name`` that are not an attribute (``obj.name``)."""
    return [leaf for leaf in tree.leaves() if leaf.type == token.NAME and leaf.value == name
            and not (leaf.prev_sibling and leaf.prev_sibling.type == token.DOT)]


class RenameName(Recipe):
    id = "rename_name"
    description = "Rename every use of a bare Python name; attributes and longer names stay."
    reads = Reads.PYTHON
    Options = Options
    examples = (Example({"old": "fetch_all", "new": "fetch_every"},
                        "rows = fetch_all(db)\nfetch_all_later(db.fetch_all)\n",
                        "rows = fetch_every(db)\nfetch_all_later(db.fetch_all)\n", title="whole names only"),)

    def needles(self, options):
        return (options.old.encode(),)          # files without these bytes are never parsed

    def subject(self, options):
        return options.old                      # what `status` and `check` report

    def query(self, options, files):
        from bowler import Query

        def rename(node, capture, filename):
            for leaf in uses(node, options.old):
                leaf.value = options.new
                leaf.changed()
        return Query(list(files)).select_root().modify(rename)

    def survey(self, options, source: Source) -> Found:
        return Found(tuple((leaf.get_lineno(), Kind.REFERENCE) for leaf in uses(source.tree, options.old)))
