prefix  = "Not-Lower"
unknown = 1
