"""Worker pools shut down without leaving a worker behind."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator


@contextlib.contextmanager
def closing_pool(pool: Any) -> Iterator[Any]:
    """Shut a worker pool down by letting its workers finish (close, then join), and
    signal them only when the work was abandoned. Pool.terminate() on a pool that is
    done can leave the parent joining a worker that never got its SIGTERM."""
    try:
        yield pool
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()
