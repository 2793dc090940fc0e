from shop import models

first = models.Order(1)
