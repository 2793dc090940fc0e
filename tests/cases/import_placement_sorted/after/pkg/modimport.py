import os

import pkg.aaa
import pkg.b_new
import pkg.old_mod
from pkg.zzz import Z

x = pkg.b_new.New(pkg.old_mod.LIMIT, pkg.aaa.A, Z, os)
