from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from pkg.new_mod import New


def use(engine: "New", pool: list["New"], maybe: Optional["New"] = None) -> "New | None":
    label = "Old"  # a plain string, not an annotation
    return engine
