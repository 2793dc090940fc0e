import pkg.old_mod as legacy

x = legacy.Old()
