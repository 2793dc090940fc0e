from pkg.new_mod import New as Old

x = Old()
