"""How the OpenAPI schema describes the API key (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Authorization: Api-Key <kunci>`",
        }


PROBLEM = {
    "type": "object",
    "description": "RFC 7807 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"description": "Per-field messages of a refused request."},
    },
    "required": ["type", "title", "status"],
}

EVERY_OPERATION = {
    "400": "Invalid parameters (problem details with ``errors``).",
    "404": "Not found, not published, out of the key's scope, or a page past the last.",
    "406": "The Accept header asks for something other than JSON.",
    "429": "Too many requests (see Retry-After).",
}
WITH_A_KEY = {
    "401": "No key, or an unknown, revoked or expired key.",
    "403": "The key may not do this.",
}


def problem_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents its problem answers."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            codes = dict(EVERY_OPERATION)
            if {} not in operation.get("security", [{}]):
                codes.update(WITH_A_KEY)
            responses = operation.setdefault("responses", {})
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": content})
    return result


# The portal answers 400 to a NUL anywhere in a request (accounts.middleware): the schema
# says so, so that a client (and a contract test) knows such a string is not a valid value.
NO_NUL = "^[^\\u0000]*$"


def strings_without_nul(result, generator, request, public):
    """drf-spectacular postprocessing hook: string parameters carry the no-NUL pattern."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and "pattern" not in schema:
                    schema["pattern"] = NO_NUL
    return result
