# pkg.old_mod keeps Other and LIMIT; pkg.new_mod.New moved.
from pkg.old_mod import LIMIT
from pkg.new_mod import New as Old

x = Old(LIMIT)
