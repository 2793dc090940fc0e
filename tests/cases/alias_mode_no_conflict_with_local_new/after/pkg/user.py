from pkg.new_mod import New as Old

New = "something else"
x = Old()
