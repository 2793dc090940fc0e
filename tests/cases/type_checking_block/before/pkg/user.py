from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.old_mod import Old


def use(engine: "Old") -> "Old | None":
    return engine
