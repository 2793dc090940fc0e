from warehouse.engines import Old

x = Old(dsn="sqlite://")
path = "warehouse.engines.Old"
