from shop import orders

first = orders.Order(1)
