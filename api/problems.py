"""Errors as RFC 7807 problem details (application/problem+json)."""

from http import HTTPStatus

from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"


def problem_details(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    status = response.status_code
    title = HTTPStatus(status).phrase
    problem = {"type": "about:blank", "title": title, "status": status}
    if isinstance(data, dict) and set(data) == {"detail"}:
        problem["detail"] = str(data["detail"])
    else:
        problem["detail"] = title
        problem["errors"] = data
    request = context.get("request")
    if request is not None:
        problem["instance"] = request.get_full_path()
    response.data = problem
    response.content_type = PROBLEM_TYPE
    return response
