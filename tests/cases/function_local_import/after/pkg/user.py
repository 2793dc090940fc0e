def build():
    from pkg.new_mod import New
    return New()


def other(Old=None):
    return Old
