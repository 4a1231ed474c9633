"""The client's own address behind the TLS proxies the README describes.

Each trusted proxy appends the address it received the connection from to X-Forwarded-For, so with N
trusted proxies in front of gunicorn the client is the N-th entry from the right: entries further left
were written by the client itself and prove nothing. With no trusted proxy (the default) the header is
ignored and the TCP peer is the client.

django-ipware was weighed: its proxy count is the number of entries it expects in the header, and with
one proxy (a header holding only the client) it answers None, which would put every visitor in one
lockout bucket again.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    """The address django-axes locks out, and the one worth logging."""
    proxies = settings.TRUSTED_PROXY_COUNT
    peer = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return peer
    chain = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(chain) < proxies:
        # The request did not come through all of our proxies: the peer is the best we know.
        return peer
    return chain[-proxies]
