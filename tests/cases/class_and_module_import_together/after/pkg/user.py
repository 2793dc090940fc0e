import pkg.new_mod as legacy
from pkg.new_mod import New as Old

x, y = Old(), legacy.New()
