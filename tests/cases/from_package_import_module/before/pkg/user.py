from pkg import old_mod

x = old_mod.Old()
