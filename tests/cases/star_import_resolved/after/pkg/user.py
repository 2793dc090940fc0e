from pkg.new_mod import New as Old  # noqa: F403

x = Old()
