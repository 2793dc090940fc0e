from pkg.old_mod import Old

engine = None


def init():
    global engine
    engine = Old()
