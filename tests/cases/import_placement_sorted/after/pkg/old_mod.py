"""Old home."""


class Old:
    pass


LIMIT = 3
