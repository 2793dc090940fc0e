from unittest.mock import patch

from pkg import old_mod

with patch.object(old_mod, "Old"):
    pass
