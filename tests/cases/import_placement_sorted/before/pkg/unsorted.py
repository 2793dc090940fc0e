from pkg.zzz import Z
from pkg.old_mod import LIMIT, Old
from pkg.aaa import A

x = Old(A, Z, LIMIT)
