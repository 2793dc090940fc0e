from pkg.new_mod import New
from pkg.old_mod import LIMIT, Other

x = New(LIMIT, Other)
