import os

from pkg.b_new import New as Old
from pkg.zzz import Z

x = Old(Z, os)
