from pkg.new_mod import New


class Holder:
    Old = "class attribute shadows only inside the class body"
    label = Old

    def method(self):
        return New()


def outer():
    def inner():
        return New()
    return inner
