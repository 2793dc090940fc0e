from conf.settings import RETRIES, TIMEOUT


def budget() -> int:
    return TIMEOUT * RETRIES
