from zoo.dogs import Dog

rex = Dog()
