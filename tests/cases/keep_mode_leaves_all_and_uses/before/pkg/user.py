from pkg.old_mod import Old

__all__ = ["Old"]


class Adapter(Old):
    pass
