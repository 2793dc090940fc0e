from pkg.old_mod import *

print(f"{Old()!r} {LIMIT:>{WIDTH}}")
WIDTH = 4
