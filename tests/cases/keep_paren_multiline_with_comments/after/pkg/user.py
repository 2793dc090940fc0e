from pkg.old_mod import (
    LIMIT,  # stays: still provided by the bridge
    Other,
)
from pkg.new_mod import New as Old  # moves

x = Old(LIMIT, Other)
