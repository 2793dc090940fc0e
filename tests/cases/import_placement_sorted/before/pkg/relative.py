from .aaa import A
from .mmm import M
from .old_mod import LIMIT, Old
from .zzz import Z

x = Old(A, M, Z, LIMIT)
