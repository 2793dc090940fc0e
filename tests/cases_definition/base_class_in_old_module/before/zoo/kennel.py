from zoo.animals import Dog

rex = Dog()
