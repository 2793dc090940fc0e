from pkg.new_mod import New

names = {"Old": 1}
text = f"{names["Old"]} {New(**{"a": 1})!r} {f"{New.__name__}"}"
