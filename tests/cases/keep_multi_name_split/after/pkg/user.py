from pkg.new_mod import New as Old
from pkg.old_mod import Other  # both from the bridge

x, y = Old(), Other()
