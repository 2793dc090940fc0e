from conf.limits import TIMEOUT
from conf.settings import RETRIES


def budget() -> int:
    return TIMEOUT * RETRIES
