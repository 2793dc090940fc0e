from pkg.new_mod import New

if True:
	x = New()
