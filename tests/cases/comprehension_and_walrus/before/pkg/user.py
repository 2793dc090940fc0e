from pkg.old_mod import Old

engines = [Old() for _ in range(2)]
if (first := Old()) is not None:
    pool = {name: Old for name in ("a", "b")}
