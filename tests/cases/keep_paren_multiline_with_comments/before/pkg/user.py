from pkg.old_mod import (
    LIMIT,  # stays: still provided by the bridge
    Old,  # moves
    Other,
)

x = Old(LIMIT, Other)
