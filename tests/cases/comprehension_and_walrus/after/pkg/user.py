from pkg.new_mod import New

engines = [New() for _ in range(2)]
if (first := New()) is not None:
    pool = {name: New for name in ("a", "b")}
