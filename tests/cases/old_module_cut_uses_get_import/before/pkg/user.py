from pkg.old_mod import Old, Special

x: Old = Special()
