from pkg.new_mod import New as Engine

x = Engine()
