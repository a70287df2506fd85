"""Who sent a request from the public, as far as the portal keeps it: the key the public forms' rate limit counts
by (an IPv6 sender by its /64 network, which one household or host usually holds whole) and a keyed hash of that
key, enough to see repeated senders of objections and tips without storing their address."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import current_app
from flask_limiter.util import get_remote_address

HASH_PURPOSE = b"portal.requesters.sender_hash"


def sender_key(address: str | None = None) -> str:
    """The request's (or `address`'s) sender: an IPv4 address, or the /64 network of an IPv6 one."""
    address = (get_remote_address() if address is None else address) or ""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _hash_key() -> bytes:
    """A key derived from SECRET_KEY for this purpose only, so the secret itself keys nothing it was not meant for."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, HASH_PURPOSE, hashlib.sha256).digest()


def address_hash(address: str | None) -> str | None:
    if not address:
        return None
    return hmac.new(_hash_key(), sender_key(address).encode(), hashlib.sha256).hexdigest()
