from pkg.old_mod import (  # bridge names
    # the limit
    LIMIT,  # stays
    # the class that moved
    Other,  # stays too
)
from pkg.new_mod import New  # moves with New
from pkg.old_mod import (Other as O2
                         )
from pkg.new_mod import New as Legacy  # legacy alias

x = New(LIMIT, Other, O2, Legacy)
