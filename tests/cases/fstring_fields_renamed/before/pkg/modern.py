from pkg.old_mod import Old

names = {"Old": 1}
text = f"{names["Old"]} {Old(**{"a": 1})!r} {f"{Old.__name__}"}"
