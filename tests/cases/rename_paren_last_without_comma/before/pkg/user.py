from pkg.old_mod import (Other,
                         Old)

x = Old(Other)
