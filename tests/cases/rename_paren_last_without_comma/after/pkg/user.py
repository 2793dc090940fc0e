from pkg.old_mod import (Other)
from pkg.new_mod import New

x = New(Other)
