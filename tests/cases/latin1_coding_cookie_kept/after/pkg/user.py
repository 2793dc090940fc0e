# -*- coding: latin-1 -*-
from pkg.new_mod import New as Old

name = 'café'
x = Old()
