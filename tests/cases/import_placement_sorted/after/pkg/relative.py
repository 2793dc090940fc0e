from .aaa import A
from .b_new import New as Old
from .mmm import M
from .old_mod import LIMIT
from .zzz import Z

x = Old(A, M, Z, LIMIT)
