from pkg.new_mod import New
# the old spelling


def run():
    try:
        from pkg.new_mod import New  # inside a function
    except ImportError:  # pragma: no cover
        New = None
    return New, New
