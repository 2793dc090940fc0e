def slug(s):
    return s.lower()


def strip(s):
    return s.strip()
