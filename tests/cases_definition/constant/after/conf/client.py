from conf.settings import RETRIES
from conf.limits import TIMEOUT


def budget() -> int:
    return TIMEOUT * RETRIES
