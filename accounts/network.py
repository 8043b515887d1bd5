"""Where a request comes from, as every throttle and lockout of the portal counts it.

Forwarded headers (X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host) are believed only
when the connection itself comes from a declared reverse proxy: ``TRUSTED_PROXIES``
(addresses or networks), or, when only ``TRUSTED_PROXY_COUNT`` is set, the loopback and
private networks a container network uses. A client that reaches gunicorn directly has them
removed (:func:`forwarded_headers_from_proxies_only`), so it can neither choose the address
it is counted under nor claim https.
"""

import functools
import ipaddress

from django.conf import settings

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")
# Where the proxy of a container network (compose, Kubernetes) connects from.
PRIVATE_NETWORKS = (
    "127.0.0.0/8",
    "::1/128",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
)


@functools.lru_cache(maxsize=8)
def _networks(entries):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks():
    """The networks whose connections may carry forwarded headers; empty: none may."""
    entries = tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    if not entries and int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0) > 0:
        entries = PRIVATE_NETWORKS
    return _networks(entries)


def _parse(address):
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_internal_client(request):
    """Whether the client (as counted, through trusted proxies) is on the loopback or a
    private network: the operator's side of the deployment."""
    ip = _client_ip(request)
    return ip is not None and any(ip in network for network in _networks(PRIVATE_NETWORKS))


def is_trusted_proxy(ip):
    return ip is not None and any(ip in network for network in trusted_networks())


def peer_is_trusted_proxy(request):
    """Whether the connection comes from a declared reverse proxy."""
    return is_trusted_proxy(_parse(request.META.get("REMOTE_ADDR", "")))


def _client_ip(request):
    """The client's address, or None when it cannot be read.

    From a trusted proxy, X-Forwarded-For is read from the right: each entry a trusted proxy
    added is skipped, at most TRUSTED_PROXY_COUNT of them when that is set; the first entry
    that is not one is the client (entries further left are whatever the client sent).
    """
    ip = _parse(request.META.get("REMOTE_ADDR", ""))
    if not is_trusted_proxy(ip):
        return ip
    limit = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0) or None
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    hops = 0
    while forwarded and is_trusted_proxy(ip) and (limit is None or hops < limit):
        ip = _parse(forwarded.pop())
        hops += 1
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


def forwarded_headers_from_proxies_only(get_response):
    """Remove the forwarded headers of a request that did not come through a trusted proxy.

    First in MIDDLEWARE: SECURE_PROXY_SSL_HEADER, the HTTPS redirect, the address throttles
    and the lockout then read only what a declared proxy wrote.
    """

    def middleware(request):
        if not peer_is_trusted_proxy(request):
            for name in FORWARDED_HEADERS:
                request.META.pop(name, None)
        return get_response(request)

    return middleware
