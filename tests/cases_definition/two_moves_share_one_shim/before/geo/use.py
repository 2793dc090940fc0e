from geo.shapes import Circle, Square

shapes = [Circle(1), Square(2)]
