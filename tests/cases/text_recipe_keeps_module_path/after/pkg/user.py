# pkg.old_mod keeps Other and LIMIT; pkg.new_mod.New moved.
from pkg.new_mod import New as Old
from pkg.old_mod import LIMIT

x = Old(LIMIT)
