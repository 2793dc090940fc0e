import pkg.old_mod as legacy
from pkg import new_mod

x = new_mod.New()
y = legacy.LIMIT
