from pkg.new_mod import New as Old

__all__ = ["Old"]


class Adapter(Old):
    pass
