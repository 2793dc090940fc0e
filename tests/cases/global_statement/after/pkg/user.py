from pkg.new_mod import New

engine = None


def init():
    global engine
    engine = New()
