import pkg.new_mod
import pkg.old_mod

x = pkg.new_mod.New()
y = pkg.old_mod.Other()
