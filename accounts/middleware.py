def language_by_choice_only(get_response):
    """Bahasa Indonesia unless the user picked another language with the switcher.

    Officers often work on browsers set to English; the portal must still open in Indonesian.
    Dropping Accept-Language leaves Django's LocaleMiddleware the language cookie or the default.
    """

    def middleware(request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

    return middleware


# Powerful browser features the portal never uses, switched off for its pages and their frames.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
        "bluetooth",
        "xr-spatial-tracking",
    )
)


def permissions_policy(get_response):
    """Every response carries the Permissions-Policy."""

    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


def framing_follows_x_frame_options(get_response):
    """A response its view lets the portal frame (an evidence preview) says so in its CSP too.

    The policy forbids all framing; views marked ``xframe_options_sameorigin`` answer
    ``X-Frame-Options: SAMEORIGIN``, and browsers that read only the CSP must agree.
    Listed after the CSP middleware, so it runs before that one writes the header.
    """

    def middleware(request):
        response = get_response(request)
        if response.get("X-Frame-Options") == "SAMEORIGIN":
            replace = dict(getattr(response, "_csp_replace", None) or {})
            replace["frame-ancestors"] = ["'self'"]
            response._csp_replace = replace
        return response

    return middleware
