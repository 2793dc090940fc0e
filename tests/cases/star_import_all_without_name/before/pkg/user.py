from pkg.old_mod import *
from pkg.factory import Old

x = Old(Other)
