from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.new_mod import New as Old


def use(engine: "Old") -> "Old | None":
    return engine
