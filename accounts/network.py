"""Where a request comes from, as every throttle and lockout of the portal counts it."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The address to count requests against.

    Behind TRUSTED_PROXY_COUNT reverse proxies the client is that many entries from the end of
    X-Forwarded-For (entries further left are whatever the client chose to send). An IPv6
    client is counted per /64, the block one subscriber normally gets.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
