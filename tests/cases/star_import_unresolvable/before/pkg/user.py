from pkg.old_mod import *

x = Old()
