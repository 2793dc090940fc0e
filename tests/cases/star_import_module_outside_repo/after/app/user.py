from vendor_lib.engines import *

engine = Old()
