def build():
    from pkg.old_mod import Old
    return Old()


def other(Old=None):
    return Old
