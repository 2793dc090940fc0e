from decimal import Decimal


class Money:
    """An amount in a currency."""

    def __init__(self, amount: str, currency: str = "EUR") -> None:
        self.amount = Decimal(amount)
        self.currency = currency
