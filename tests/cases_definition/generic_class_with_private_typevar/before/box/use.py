from box.core import Box

b = Box(1)
