import os

# first-party
from pkg.aaa import A
from pkg.b_new import New as Old
from pkg.mmm import M
from pkg.zzz import Z

x = Old(A, M, Z, os)
