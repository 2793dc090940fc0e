"""The new home of the class (cut out of old_mod by hand)."""


class New:
    pass
