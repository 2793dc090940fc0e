from pkg.old_mod import Old

text = f"{Old()!r}"
