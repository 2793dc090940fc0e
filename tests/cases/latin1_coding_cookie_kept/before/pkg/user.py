# -*- coding: latin-1 -*-
from pkg.old_mod import Old

name = 'café'
x = Old()
