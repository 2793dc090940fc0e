from pkg.new_mod import New
from pkg.old_mod import Old

x, y = Old(), New()
