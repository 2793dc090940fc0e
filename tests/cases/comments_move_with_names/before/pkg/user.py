from pkg.old_mod import (  # bridge names
    # the limit
    LIMIT,  # stays
    # the class that moved
    Old,  # moves with New
    Other,  # stays too
)
from pkg.old_mod import (Other as O2,
                         Old as Legacy  # legacy alias
                         )

x = Old(LIMIT, Other, O2, Legacy)
