from unittest.mock import patch


@patch("pkg.new_mod.New.run")
def test_run(mock_run):
    with patch("pkg.new_mod.New") as engine:
        loader = import_string("pkg.new_mod:New")
        return engine, loader, "pkg.old_mod.OldFactory", "pkg.old_mod.Other"
