from pkg.aaa import *
from pkg.mmm import *
from pkg.old_mod import *
from pkg.b_new import New as Old
from pkg.zzz import *

__all__ = ["A", "M", "Old", "Z"]
