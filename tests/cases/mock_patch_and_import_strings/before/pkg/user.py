from unittest.mock import patch


@patch("pkg.old_mod.Old.run")
def test_run(mock_run):
    with patch("pkg.old_mod.Old") as engine:
        loader = import_string("pkg.old_mod:Old")
        return engine, loader, "pkg.old_mod.OldFactory", "pkg.old_mod.Other"
