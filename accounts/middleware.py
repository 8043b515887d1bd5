def language_by_choice_only(get_response):
    """Bahasa Indonesia unless the user picked another language with the switcher.

    Officers often work on browsers set to English; the portal must still open in Indonesian.
    Dropping Accept-Language leaves Django's LocaleMiddleware the language cookie or the default.
    """

    def middleware(request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

    return middleware
