from pkg.old_mod import Old

if True:
	x = Old()
