import os

from pkg.old_mod import Old
from pkg.zzz import Z

x = Old(Z, os)
