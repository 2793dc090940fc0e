# pkg.old_mod keeps Other and LIMIT; pkg.old_mod.Old moved.
from pkg.old_mod import LIMIT, Old

x = Old(LIMIT)
