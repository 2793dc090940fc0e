from lib.engines import New as Old

x = Old()
