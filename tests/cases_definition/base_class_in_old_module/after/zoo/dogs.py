from zoo.animals import Animal


class Dog(Animal):
    """A dog."""

    sound = "woof"
