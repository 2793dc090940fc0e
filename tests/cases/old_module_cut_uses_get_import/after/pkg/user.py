from pkg.new_mod import New
from pkg.old_mod import Special

x: New = Special()
