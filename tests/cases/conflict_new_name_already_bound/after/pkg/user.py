from pkg.old_mod import Old

New = "something else"
x = Old()
