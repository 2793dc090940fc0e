def default(o):
    return str(o)
