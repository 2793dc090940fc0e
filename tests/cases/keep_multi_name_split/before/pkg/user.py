from pkg.old_mod import Old, Other  # both from the bridge

x, y = Old(), Other()
