from pkg.old_mod import Special
from pkg.new_mod import New

x: New = Special()
