from box.boxes import Box

b = Box(1)
