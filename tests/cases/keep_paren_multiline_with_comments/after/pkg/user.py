from pkg.new_mod import New as Old  # moves
from pkg.old_mod import (
    LIMIT,  # stays: still provided by the bridge
    Other,
)

x = Old(LIMIT, Other)
