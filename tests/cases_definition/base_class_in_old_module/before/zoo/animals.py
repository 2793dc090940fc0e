class Animal:
    sound = ""

    def speak(self) -> str:
        return self.sound


class Dog(Animal):
    """A dog."""

    sound = "woof"


def chorus() -> list[str]:
    return [Animal().speak()]
