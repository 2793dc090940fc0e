from unittest.mock import patch

from pkg import new_mod

with patch.object(new_mod, "New"):
    pass
