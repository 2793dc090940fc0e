from fmt.core import title

heading = title(" a  b ")
