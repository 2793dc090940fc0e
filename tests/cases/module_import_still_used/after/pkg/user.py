import pkg.old_mod
import pkg.new_mod

x = pkg.new_mod.New()
y = pkg.old_mod.Other()
