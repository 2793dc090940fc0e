def _clean(s: str) -> str:
    return s.strip()


_SEP = " "


def title(s: str) -> str:
    return _SEP.join(_clean(s).title().split())
