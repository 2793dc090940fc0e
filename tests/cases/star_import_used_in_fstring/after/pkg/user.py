from pkg.old_mod import *
from pkg.new_mod import New as Old

print(f"{Old()!r} {LIMIT:>{WIDTH}}")
WIDTH = 4
