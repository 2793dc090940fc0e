import os

import pkg.aaa
import pkg.old_mod
from pkg.zzz import Z

x = pkg.old_mod.Old(pkg.old_mod.LIMIT, pkg.aaa.A, Z, os)
