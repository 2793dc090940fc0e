import pkg.new_mod as legacy

x = legacy.New()
