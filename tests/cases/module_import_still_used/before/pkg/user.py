import pkg.old_mod

x = pkg.old_mod.Old()
y = pkg.old_mod.Other()
