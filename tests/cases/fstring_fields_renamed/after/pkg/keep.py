from pkg.new_mod import New as Old

text = f"{Old()!r}"
