from pkg.old_mod import Old


class Holder:
    Old = "class attribute shadows only inside the class body"
    label = Old

    def method(self):
        return Old()


def outer():
    def inner():
        return Old()
    return inner
