from pkg.old_mod import Old

x = = Old()
