"""Where a request comes from, as every throttle and lockout of the portal counts it."""

import ipaddress

from django.conf import settings


def _client_ip(request):
    """The client's address, or None when it cannot be read.

    Behind TRUSTED_PROXY_COUNT reverse proxies the client is that many entries from the end of
    X-Forwarded-For (entries further left are whatever the client chose to send).
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
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def client_address(request):
    """The address to count requests against: an IPv6 client is counted per /64, the block
    one subscriber normally gets; "unknown" when there is none."""
    ip = _client_ip(request)
    if ip is None:
        return "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def lockout_address(request):
    """The same count for django-axes, which stores an IP address: a /64 as its first address,
    None when unknown (a login made in code, without a client)."""
    ip = _client_ip(request)
    if ip is None:
        return None
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)
