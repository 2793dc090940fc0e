from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pkg.aaa import A  # noqa: F401
    from pkg.mmm import M
    from pkg.old_mod import LIMIT, Old  # noqa: F401
    from pkg.zzz import Z


def f(x: Old, m: M, z: Z) -> None:
    pass
