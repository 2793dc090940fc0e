A = Z = M = 1
