from pkg.old_mod import LIMIT, Other
from pkg.new_mod import New

x = New(LIMIT, Other)
