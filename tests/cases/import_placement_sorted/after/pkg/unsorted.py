from pkg.zzz import Z
from pkg.old_mod import LIMIT
from pkg.b_new import New as Old
from pkg.aaa import A

x = Old(A, Z, LIMIT)
