import os

# first-party
from pkg.aaa import A
from pkg.mmm import M
from pkg.old_mod import Old
from pkg.zzz import Z

x = Old(A, M, Z, os)
