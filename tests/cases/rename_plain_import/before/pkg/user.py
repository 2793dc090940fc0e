from pkg.old_mod import Old

x = Old()
y: Old = x
