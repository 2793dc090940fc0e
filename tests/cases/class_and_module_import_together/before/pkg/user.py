import pkg.old_mod as legacy
from pkg.old_mod import Old

x, y = Old(), legacy.Old()
