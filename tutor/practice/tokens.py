"""The token service's signing identity and the tokens it signs.

The registry (``auth: token``) trusts a token when it is an ES256 JWT whose ``x5c`` header carries
a certificate found in its ``rootcertbundle``; its claims say who (``sub``) may do what
(``access``) for how long. The key is made once and kept, readable by the user only, beside the
registry's data: the same folder already holds every image, so it guards nothing more.
"""

from __future__ import annotations

import base64
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.practice.state import ISSUER, SERVICE

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

TOKEN_LIFETIME = 300  # seconds, as Docker Hub's


@dataclass(frozen=True)
class Identity:
    key: EllipticCurvePrivateKey  # what ES256 signs with
    cert_der: bytes


def load(key_path: Path, cert_path: Path) -> Identity | None:
    """The saved key and certificate, or None when either is missing, broken, mismatched or expiring."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):  # not one ES256 can sign with: broken
        return None
    if cert.public_key() != key.public_key() or cert.not_valid_after_utc < datetime.now(UTC) + timedelta(days=1):
        return None
    return Identity(key, cert.public_bytes(serialization.Encoding.DER))


def load_or_create(key_path: Path, cert_path: Path) -> Identity:
    """The saved identity, made on first use (or again when it is lost or broken)."""
    return load(key_path, cert_path) or _create(key_path, cert_path)


def _create(key_path: Path, cert_path: Path) -> Identity:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from tutor.store import atomic_write

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # A day back, so a clock that is a little off cannot make a fresh certificate "not yet valid".
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    atomic_write(key_path, pem)  # atomic_write's temporary file is already 0600
    os.chmod(key_path, 0o600)
    atomic_write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return Identity(key, cert.public_bytes(serialization.Encoding.DER))


def parse_scopes(values: list[str]) -> list[tuple[str, str, list[str]]]:
    """``repository:alice/app:pull,push`` -> ("repository", "alice/app", ["pull", "push"]).

    One value may hold several scopes separated by spaces (the OAuth2 form containerd sends)."""
    wanted = []
    for value in values:
        for scope in value.split():
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind and name:
                wanted.append((kind, name, [a for a in actions.split(",") if a]))
    return wanted


def sign(identity: Identity, subject: str, access: list[dict], lifetime: int = TOKEN_LIFETIME) -> str:
    import jwt

    now = int(time.time())
    claims = {"iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + lifetime, "nbf": now - 10, "iat": now,
              "jti": secrets.token_hex(16), "access": access}
    return jwt.encode(claims, identity.key, algorithm="ES256",
                      headers={"x5c": [base64.b64encode(identity.cert_der).decode()]})
