from pkg.old_mod import Other  # both from the bridge
from pkg.new_mod import New as Old

x, y = Old(), Other()
