"""Single-use secrets sent by e-mail: only their SHA-256 is stored, so a database leak reveals no link."""

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
