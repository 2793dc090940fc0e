from pkg.new_mod import New
from pkg.old_mod import (Other)

x = New(Other)
