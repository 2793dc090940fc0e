from pkg import new_mod

x = new_mod.New()
