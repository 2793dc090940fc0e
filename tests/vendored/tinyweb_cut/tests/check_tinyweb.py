from tinyweb import JSONRequest, Request, Response, Router
from tinyweb.runtime import make_request


def test_dispatch() -> None:
    router = Router()
    router.add("/hi", lambda r: Response(f"hi {r.describe()}", r))
    assert router.dispatch(Request("GET", "/hi")).text == "hi GET /hi"
    assert router.dispatch(Request("GET", "/nope")).text == "not found"


def test_json_request_is_a_request() -> None:
    request = make_request(JSONRequest, body='{"a": 1}')
    assert isinstance(request, Request) and request.data() == {"a": 1}
    assert make_request().describe() == "GET /"
