"""New home."""


class New:
    pass
