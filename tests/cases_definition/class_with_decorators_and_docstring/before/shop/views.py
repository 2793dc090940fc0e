from shop.models import Order, make


def show(o: Order) -> str:
    return o.label + str(make(1))
