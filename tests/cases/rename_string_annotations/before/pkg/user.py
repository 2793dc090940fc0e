from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from pkg.old_mod import Old


def use(engine: "Old", pool: list["Old"], maybe: Optional["Old"] = None) -> "Old | None":
    label = "Old"  # a plain string, not an annotation
    return engine
