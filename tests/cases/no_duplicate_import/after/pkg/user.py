from pkg.new_mod import New

x, y = New(), New()
