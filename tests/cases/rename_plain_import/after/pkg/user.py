from pkg.new_mod import New

x = New()
y: New = x
