from shop.models import make
from shop.orders import Order


def show(o: Order) -> str:
    return o.label + str(make(1))
