class Price:
    pass
