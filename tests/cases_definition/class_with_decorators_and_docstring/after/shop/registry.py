def register(name):
    def wrap(cls):
        return cls
    return wrap
