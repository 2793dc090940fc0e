from billing.money import Money

total = Money("1.00")
