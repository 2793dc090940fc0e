import pkg.new_mod

x = pkg.new_mod.New()
